package chat.search.index;

import chat.events.ChannelCreated;
import chat.events.EventEnvelope;
import chat.events.MemberJoined;
import chat.events.MemberLeft;
import chat.events.MessageDeleted;
import chat.events.MessageEdited;
import chat.events.MessagePosted;
import chat.events.ReactionAdded;
import chat.events.TeamCreated;
import chat.events.TeamMemberJoined;
import chat.events.TeamMemberLeft;
import chat.search.query.LuceneQueries;
import chat.search.query.QueryParser;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FilterDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Applying events to one partition's index and searching it as different users (in-memory directory). */
class PartitionIndexTest {
    private static final String EPOCH = "test.epoch";
    private final ChatAnalyzer analyzer = new ChatAnalyzer();
    private final List<EventEnvelope> log = new ArrayList<>();
    private Directory dir;
    private PartitionIndex index;

    /** Keeps the bytes when the index closes, so a test can reopen it (a restart). */
    private static final class KeptDirectory extends FilterDirectory {
        KeptDirectory(final Directory in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }

    @BeforeEach
    void open() throws IOException {
        dir = new ByteBuffersDirectory();
        index = PartitionIndex.open(new KeptDirectory(dir), 3, EPOCH, analyzer, 8);
    }

    @AfterEach
    void close() throws IOException {
        index.close(false);
        dir.close();
    }

    private static EventEnvelope event(final String actor, final Object payload, final Instant at) {
        return EventEnvelope.newBuilder().setEventId(UUID.randomUUID().toString()).setTeamId("acme").setActorId(actor)
                .setOccurredAt(at).setSchemaVersion(1).setPayload(payload).build();
    }

    private long append(final String actor, final Object payload) throws IOException {
        return append(actor, payload, Instant.parse("2026-11-20T10:00:00Z").plusSeconds(log.size()));
    }

    private long append(final String actor, final Object payload, final Instant at) throws IOException {
        final EventEnvelope e = event(actor, payload, at);
        log.add(e);
        final long offset = log.size() - 1;
        index.apply(offset, e);
        return offset;
    }

    private void setUpTeam() throws IOException {
        append("alice", new TeamCreated("Acme"));
        append("alice", new TeamMemberJoined("alice", "admin"));
        append("alice", new TeamMemberJoined("bob", "member"));
        append("alice", new ChannelCreated("general", "general", false, null));
        append("alice", new MemberJoined("general", "alice", null));
        append("alice", new ChannelCreated("secret", "secret", true, null));
        append("alice", new MemberJoined("secret", "alice", null));
    }

    private List<String> search(final String user, final String q) throws IOException {
        index.refresh();
        final Page page = index.search(LuceneQueries.build(QueryParser.parse(q), analyzer, "acme",
                index.acl().readableChannels("acme", user)), 0, -1, 50);
        return page.hits().stream().map(h -> h.message().messageId()).toList();
    }

    @Test
    void givenPrivateChannel_whenNonMemberSearches_thenPrivateMessagesNeverAppear() throws IOException {
        setUpTeam();
        append("alice", new MessagePosted("general", "m1", "the launch plan is ready", null, null));
        append("alice", new MessagePosted("secret", "m2", "the secret launch date", null, null));

        assertThat(search("alice", "launch")).containsExactlyInAnyOrder("m1", "m2");
        assertThat(search("bob", "launch")).containsExactly("m1");
        assertThat(search("bob", "launch in:secret")).isEmpty();
        assertThat(search("mallory", "launch")).isEmpty();
    }

    @Test
    void givenMemberLeavesPrivateChannelOrTeam_whenSearching_thenAccessEndsAtThatEvent() throws IOException {
        setUpTeam();
        append("alice", new MemberJoined("secret", "bob", "alice"));
        append("alice", new MessagePosted("secret", "m2", "budget numbers", null, null));
        assertThat(search("bob", "budget")).containsExactly("m2");

        append("bob", new MemberLeft("secret", "bob"));
        assertThat(search("bob", "budget")).isEmpty();

        append("alice", new MessagePosted("general", "m3", "public budget", null, null));
        append("alice", new TeamMemberLeft("bob"));
        assertThat(search("bob", "budget")).isEmpty();
    }

    @Test
    void givenEditAndDelete_whenSearching_thenOnlyCurrentTextIsFound() throws IOException {
        setUpTeam();
        append("alice", new MessagePosted("general", "m1", "original wording", null, null));
        append("alice", new MessageEdited("general", "m1", "corrected phrasing"));
        assertThat(search("bob", "original")).isEmpty();
        assertThat(search("bob", "corrected")).containsExactly("m1");

        append("alice", new MessageDeleted("general", "m1"));
        assertThat(search("bob", "corrected")).isEmpty();
        // an edit of a deleted message (never accepted by ingest) changes nothing
        append("alice", new MessageEdited("general", "m1", "corrected again"));
        assertThat(search("bob", "corrected")).isEmpty();
    }

    @Test
    void givenEditsAndDeletesBeforeARefresh_thenTheyApplyToTheLatestState() throws IOException {
        setUpTeam();
        // no refresh between these: lookups must see the pending changes
        append("alice", new MessagePosted("general", "m1", "alpha", null, null));
        append("alice", new MessageEdited("general", "m1", "beta"));
        append("alice", new MessageEdited("general", "m1", "gamma"));
        append("alice", new MessagePosted("general", "r1", "reply one", "m1", null));
        append("alice", new MessagePosted("general", "r2", "reply two", "m1", null));
        append("alice", new MessageDeleted("general", "r1"));
        assertThat(search("bob", "gamma")).containsExactly("m1");
        assertThat(search("bob", "alpha")).isEmpty();
        assertThat(search("bob", "has:thread")).containsExactly("m1");
        append("alice", new MessageDeleted("general", "r2"));
        assertThat(search("bob", "has:thread")).isEmpty();
        assertThat(search("bob", "gamma")).containsExactly("m1");
    }

    @Test
    void givenQueryLanguage_whenSearching_thenPhrasePrefixFiltersAndExclusionsWork() throws IOException {
        setUpTeam();
        append("alice", new MessagePosted("general", "m1", "Deploying the Café service today", null, null),
                Instant.parse("2026-11-01T12:00:00Z"));
        append("bob", new MessagePosted("general", "m2", "service deploy failed on staging", null, null),
                Instant.parse("2026-11-05T12:00:00Z"));
        append("alice", new MessagePosted("secret", "m3", "deploy the service secretly", null, null),
                Instant.parse("2026-11-06T12:00:00Z"));

        assertThat(search("alice", "deploy*")).containsExactlyInAnyOrder("m1", "m2", "m3");
        assertThat(search("alice", "\"deploy the service\"")).containsExactly("m3");
        assertThat(search("alice", "cafe")).as("accents folded").containsExactly("m1");
        assertThat(search("alice", "SERVICE from:bob")).containsExactly("m2");
        assertThat(search("alice", "service -staging")).containsExactlyInAnyOrder("m1", "m3");
        assertThat(search("alice", "service in:general")).containsExactlyInAnyOrder("m1", "m2");
        assertThat(search("alice", "service after:2026-11-04")).containsExactlyInAnyOrder("m2", "m3");
        assertThat(search("alice", "service before:2026-11-05")).containsExactly("m1");
        assertThat(search("alice", "service after:2026-11-04 before:2026-11-06")).containsExactly("m2");
    }

    @Test
    void givenRanking_thenBestFirstAndTiesNewestFirst_andPagesContinueWithoutOverlap() throws IOException {
        setUpTeam();
        for (int i = 0; i < 7; i++) {
            append("alice", new MessagePosted("general", "same" + i, "status update", null, null));
        }
        append("alice", new MessagePosted("general", "best", "status status status", null, null));
        index.refresh();
        final var q = LuceneQueries.build(QueryParser.parse("status"), analyzer, "acme", index.acl().readableChannels("acme", "bob"));
        final Page first = index.search(q, 0, -1, 3);
        assertThat(first.hits().stream().map(h -> h.message().messageId())).containsExactly("best", "same6", "same5");
        assertThat(first.more()).isTrue();
        assertThat(first.total()).isEqualTo(8);
        final Page second = index.search(q, first.lastScore(), first.lastOffset(), 3);
        assertThat(second.hits().stream().map(h -> h.message().messageId())).containsExactly("same4", "same3", "same2");
        final Page third = index.search(q, second.lastScore(), second.lastOffset(), 3);
        assertThat(third.hits().stream().map(h -> h.message().messageId())).containsExactly("same1", "same0");
        assertThat(third.more()).isFalse();
    }

    @Test
    void givenMatch_thenSnippetIsHighlightedAndEscaped() throws IOException {
        setUpTeam();
        append("alice", new MessagePosted("general", "m1", "<b>bold</b> & the rocket launch", null, null));
        index.refresh();
        final var q = LuceneQueries.build(QueryParser.parse("launch"), analyzer, "acme", index.acl().readableChannels("acme", "bob"));
        final Hit hit = index.search(q, 0, -1, 5).hits().get(0);
        assertThat(hit.snippet()).contains("<mark>launch</mark>").contains("&lt;b&gt;").doesNotContain("<b>");
        assertThat(hit.message().offset()).isEqualTo(log.size() - 1);
    }

    @Test
    void givenCommit_whenReopened_thenResumesAtCommittedOffsetWithAccessFacts_andOlderEventsAreIgnored() throws IOException {
        setUpTeam();
        append("alice", new MessagePosted("secret", "m1", "committed text", null, null));
        index.commit();
        append("alice", new MessagePosted("general", "m2", "uncommitted text", null, null));
        final long committed = index.committedNext();
        index.close(false); // like kill -9: only the last commit survives
        index = PartitionIndex.open(new KeptDirectory(dir), 3, EPOCH, analyzer, 8);

        assertThat(index.resumedFrom()).isEqualTo(committed).isEqualTo(log.size() - 1);
        assertThat(search("alice", "committed")).containsExactly("m1");
        assertThat(search("bob", "committed")).as("private channel facts were restored").isEmpty();
        // replay from the committed offset: earlier events ignored, the lost one re-applied
        for (int o = 0; o < log.size(); o++) {
            index.apply(o, log.get(o));
        }
        assertThat(search("bob", "text")).containsExactly("m2");
    }

    @Test
    void givenOtherEpoch_whenReopened_thenIndexIsEmptiedAndStartsAtZero() throws IOException {
        setUpTeam();
        append("alice", new MessagePosted("general", "m1", "hello", null, null));
        index.commit();
        index.close(true);
        index = PartitionIndex.open(new KeptDirectory(dir), 3, "other.epoch", analyzer, 8);
        assertThat(index.appliedNext()).isZero();
        assertThat(index.numDocs()).isZero();
    }

    @Test
    void givenSameLog_whenWipedAndReplayed_thenChecksumEqualsLive() throws IOException {
        setUpTeam();
        append("alice", new MessagePosted("general", "m1", "one", null, null));
        append("alice", new MessagePosted("general", "r1", "reply", "m1", null));
        append("bob", new ReactionAdded("general", "m1", "tada"));
        append("alice", new MessageEdited("general", "m1", "one edited"));
        append("alice", new MessagePosted("secret", "m2", "two", null, null));
        append("alice", new MessageDeleted("secret", "m2"));
        append("alice", new MemberJoined("secret", "bob", "alice"));
        append("bob", new MemberLeft("secret", "bob"));
        index.refresh();
        final PartitionIndex.Checksum live = index.checksum();

        index.wipe();
        assertThat(index.numDocs()).isZero();
        assertThat(index.acl().teams()).isZero();
        for (int o = 0; o < log.size(); o++) {
            index.apply(o, log.get(o));
        }
        index.refresh();
        final PartitionIndex.Checksum rebuilt = index.checksum();
        assertThat(rebuilt).isEqualTo(live);
        assertThat(live.messages()).isEqualTo(2);
    }

    @Test
    void givenAppliedButNotRefreshed_whenAwaitingSearchable_thenTheWaiterRefreshes() throws Exception {
        setUpTeam();
        index.refresh();
        final long target = append("alice", new MessagePosted("general", "m1", "fresh", null, null)) + 1;
        assertThat(index.searchableNext()).isLessThan(target);
        assertThat(index.awaitSearchable(target, System.nanoTime() + 1_000_000_000L)).isTrue();
        assertThat(index.awaitSearchable(target + 1, System.nanoTime() + 20_000_000L)).as("not applied: times out").isFalse();
    }

    @Test
    void givenCommitHoldingMoreThanItsOffset_whenTheTailIsReplayed_thenNothingChanges() throws IOException {
        setUpTeam();
        final long from = log.size();
        append("alice", new MessagePosted("general", "root", "root text", null, null));
        append("bob", new MessagePosted("general", "r1", "first reply", "root", null));
        append("bob", new MessagePosted("general", "r2", "second reply", "root", null));
        append("alice", new MessageEdited("general", "root", "root text edited"));
        append("bob", new MessageDeleted("general", "r1"));
        append("alice", new MemberJoined("secret", "bob", "alice"));
        append("bob", new MemberLeft("secret", "bob"));
        index.refresh();
        final PartitionIndex.Checksum once = index.checksum();

        for (long start = from; start < log.size(); start++) {
            index.rewindForReplay(start);
            for (int o = (int) start; o < log.size(); o++) {
                index.apply(o, log.get(o));
            }
            index.refresh();
            assertThat(index.checksum()).as("replayed from " + start).isEqualTo(once);
        }
        assertThat(search("bob", "has:thread")).containsExactly("root");
    }
}
