package chat.dev.it;

import chat.dev.DevStack;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The spine end to end: HTTP -> chat.events -> PostgreSQL shard and -> WebSocket clients. */
class SpineIT {
    private static final int TEAMS = 20;
    private static final int MESSAGES_PER_TEAM = 50;

    record Acked(String team, String messageId, String text, String epoch, int partition, long offset) {
    }

    @Test
    void givenTwentyTeams_whenFiftyMessagesEachArePostedConcurrently_thenSubscribersGetExactlyTheirTeamsInOrderAndEachIsOneRowInItsShard()
            throws Exception {
        // Given a subscriber per team
        final DevStack stack = TestStack.get();
        final Api api = new Api(stack.httpUrl());
        final List<String> teams = new ArrayList<>();
        final Map<String, WsClient> clients = new HashMap<>();
        for (int t = 0; t < TEAMS; t++) {
            final String team = "spine-" + t;
            teams.add(team);
            api.provision(team, "general"); // team, channel and membership exist before anyone listens
            clients.put(team, WsClient.connect(stack.wsUrl()).subscribe(team));
        }
        try {
            // When every team's messages are posted concurrently
            final Map<String, Acked> acked = new ConcurrentHashMap<>();
            final Semaphore inFlight = new Semaphore(64);
            final List<CompletableFuture<Void>> posts = new ArrayList<>();
            for (int i = 0; i < MESSAGES_PER_TEAM; i++) {
                for (String team : teams) {
                    final String text = team + " message " + i + " \"quoted\" ✓";
                    inFlight.acquire();
                    posts.add(api.postAsync(team, "general", "{\"text\":" + WsClient.JSON.writeValueAsString(text) + "}")
                            .thenAccept(reply -> {
                                assertThat(reply.status()).as(reply.body().toString()).isEqualTo(201);
                                final JsonNode pos = reply.body().get("position");
                                final String id = reply.body().get("messageId").asText();
                                acked.put(id, new Acked(team, id, text, pos.get("epoch").asText(),
                                        pos.get("partition").asInt(), pos.get("offset").asLong()));
                            })
                            .whenComplete((ok, err) -> inFlight.release()));
                }
            }
            CompletableFuture.allOf(posts.toArray(CompletableFuture[]::new)).join();
            assertThat(acked).hasSize(TEAMS * MESSAGES_PER_TEAM);

            // Then each subscriber receives exactly its team's messages, in log order
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (String team : teams) {
                    assertThat(clients.get(team).events()).hasSizeGreaterThanOrEqualTo(MESSAGES_PER_TEAM);
                }
            });
            final String epoch = acked.values().iterator().next().epoch();
            assertThat(epoch).isEqualTo("dev." + stack.topicId());
            for (String team : teams) {
                final List<JsonNode> events = clients.get(team).events();
                assertThat(events).as("events of " + team).hasSize(MESSAGES_PER_TEAM);
                long lastOffset = -1;
                int partition = -1;
                final Set<String> seen = new HashSet<>();
                for (JsonNode frame : events) {
                    final JsonNode event = frame.get("event");
                    assertThat(event.get("teamId").asText()).isEqualTo(team);
                    assertThat(event.get("type").asText()).isEqualTo("MessagePosted");
                    final JsonNode pos = frame.get("position");
                    assertThat(pos.get("epoch").asText()).isEqualTo(epoch);
                    if (partition >= 0) {
                        assertThat(pos.get("partition").asInt()).as("one team, one partition").isEqualTo(partition);
                    }
                    partition = pos.get("partition").asInt();
                    assertThat(pos.get("offset").asLong()).as("increasing positions").isGreaterThan(lastOffset);
                    lastOffset = pos.get("offset").asLong();
                    final Acked a = acked.get(event.get("messageId").asText());
                    assertThat(a).as("frame of a message that was acknowledged").isNotNull();
                    assertThat(a.team()).isEqualTo(team);
                    assertThat(a.partition()).isEqualTo(partition);
                    assertThat(a.offset()).isEqualTo(lastOffset);
                    assertThat(event.get("text").asText()).isEqualTo(a.text());
                    assertThat(seen.add(a.messageId())).as("no duplicate").isTrue();
                }
            }

            // And every message is exactly one row, in the shard its partition maps to and no other
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(Shards.messages(stack, stack.shardJdbcUrls(), "spine-")).hasSize(TEAMS * MESSAGES_PER_TEAM));
            final List<Shards.Row> rows = Shards.messages(stack, stack.shardJdbcUrls(), "spine-");
            final Map<String, List<Shards.Row>> byId = rows.stream().collect(Collectors.groupingBy(Shards.Row::messageId));
            assertThat(byId.keySet()).isEqualTo(acked.keySet());
            for (Acked a : acked.values()) {
                final List<Shards.Row> copies = byId.get(a.messageId());
                assertThat(copies).hasSize(1);
                final Shards.Row row = copies.get(0);
                assertThat(row.shard()).isEqualTo(stack.shardMap().shardOf(a.partition()));
                assertThat(row.partition()).isEqualTo(a.partition());
                assertThat(row.offset()).isEqualTo(a.offset());
                assertThat(row.teamId()).isEqualTo(a.team());
                assertThat(row.text()).isEqualTo(a.text());
            }
        } finally {
            clients.values().forEach(WsClient::close);
        }
    }
}
