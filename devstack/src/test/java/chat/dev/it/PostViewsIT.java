package chat.dev.it;

import chat.dev.DevStack;
import chat.ingest.state.PostViews;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Posts decided on kept views ({@link PostViews}) are refused as soon as the log shows what refuses
 * them: a leave written through another ingest instance reaches this one through its restriction
 * feed, and this instance's own archive refuses its very next post.
 */
class PostViewsIT {
    private static final String TEAM = "pv-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    private static final String BASE = "/api/v1/teams/" + TEAM;

    @Test
    void givenPostsOnAKeptView_whenTheAuthorLeavesThroughAnotherInstance_orThisInstanceArchives_thenPostsAreRefused() {
        final DevStack stack = TestStack.get();
        final Map<String, Object> props = TestStack.ingestOnly(stack);
        props.putAll(stack.authProperties());
        props.put("chat.ingest.rate-limit.enabled", false); // the awaits below post several times a second
        try (ApplicationContext ctx = ApplicationContext.builder().properties(props).deduceEnvironment(false).start()) {
            final EmbeddedServer second = ctx.getBean(EmbeddedServer.class).start();
            final PostViews views = ctx.getBean(PostViews.class);
            final Api other = new Api(stack.httpUrl());
            final Api here = new Api("http://127.0.0.1:" + second.getPort());

            // alice's team; bob and carol in #general, set up through the other instance
            ok(other.write("POST", "/api/v1/teams", "alice", "{\"teamId\":\"" + TEAM + "\"}"), 201);
            ok(other.write("POST", BASE + "/channels", "alice", "{\"channelId\":\"general\"}"), 201);
            for (String u : new String[]{"bob", "carol"}) {
                ok(other.write("PUT", BASE + "/members/" + u, "alice", null), 200);
                ok(other.write("PUT", BASE + "/channels/general/members/" + u, u, null), 200);
            }
            // this instance decides on the shard: wait until it shows the joins
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> post(here, "bob").status() == 201 && post(here, "carol").status() == 201);

            Awaitility.await().atMost(Duration.ofSeconds(30)).until(views::isLive); // its feed has started
            ok(post(here, "bob"), 201);
            final long hitsBefore = views.stats().hits();
            for (int i = 0; i < 5; i++) {
                ok(post(here, "bob"), 201);
            }
            assertThat(views.stats().hits() - hitsBefore).as("bob's posts decided on his kept view: " + views.stats())
                    .isEqualTo(5);

            // bob leaves through the other instance: this one learns it from the log
            ok(other.write("DELETE", BASE + "/channels/general/members/bob", "bob", null), 200);
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> "NOT_CHANNEL_MEMBER".equals(post(here, "bob").code()));
            for (int i = 0; i < 3; i++) {
                final Api.Reply r = post(here, "bob");
                assertThat(r.status()).as(r.body().toString()).isEqualTo(403);
                assertThat(r.code()).isEqualTo("NOT_CHANNEL_MEMBER");
            }
            ok(post(here, "carol"), 201);

            // this instance archives #general: carol's next post here is refused at once
            ok(here.write("POST", BASE + "/channels/general/archive", "alice", null), 200);
            final Api.Reply afterArchive = post(here, "carol");
            assertThat(afterArchive.status()).as(afterArchive.body().toString()).isEqualTo(409);
            assertThat(afterArchive.code()).isEqualTo("CHANNEL_ARCHIVED");
        }
    }

    private static Api.Reply post(final Api api, final String user) {
        return api.write("POST", BASE + "/channels/general/messages", user, "{\"text\":\"hello from " + user + "\"}");
    }

    private static Api.Reply ok(final Api.Reply r, final int status) {
        assertThat(r.status()).as(r.raw().uri() + " -> " + r.body()).isEqualTo(status);
        return r;
    }
}
