package chat.search.index;

import chat.events.ChannelCreated;
import chat.events.EventEnvelope;
import chat.events.MemberJoined;
import chat.events.MemberLeft;
import chat.events.MessageDeleted;
import chat.events.MessageEdited;
import chat.events.MessagePosted;
import chat.events.TeamMemberJoined;
import chat.events.TeamMemberLeft;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.search.Weight;
import org.apache.lucene.search.uhighlight.DefaultPassageFormatter;
import org.apache.lucene.search.uhighlight.LengthGoalBreakIterator;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.Bits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Lucene index of one partition of {@code chat.events}: messages and access facts, the offset
 * they reflect, and a near-real-time searcher. Every Lucene commit carries {@code chat.next_offset}
 * (the first offset not yet applied) and {@code chat.epoch} in its user data, so a restart, even
 * after {@code kill -9}, resumes exactly where the last commit left off; events below that offset
 * are ignored, so replaying them changes nothing.
 *
 * <p>Threads: one writer thread (the indexer) calls {@link #apply}, {@link #refresh},
 * {@link #commit} and {@link #wipe}; any thread may call {@link #awaitSearchable}, {@link #search},
 * {@link #acl()} and {@link #checksum()}.
 *
 * <pre>{@code
 * PartitionIndex idx = PartitionIndex.open(FSDirectory.open(dir), 3, epoch, new ChatAnalyzer(), 32);
 * idx.apply(offset, envelope);
 * idx.refresh();
 * Page page = idx.search(query, null, 20);
 * }</pre>
 */
public final class PartitionIndex implements Closeable {
    static final String NEXT_OFFSET = "chat.next_offset";
    static final String EPOCH = "chat.epoch";
    private static final Logger LOG = LoggerFactory.getLogger(PartitionIndex.class);
    private static final MessageDoc DELETED = new MessageDoc("", "", "", "", "", 0, 0, null, 0, -1);
    private static final Sort RANKING = new Sort(SortField.FIELD_SCORE, new SortField(Fields.OFFSET, SortField.Type.LONG, true));
    /** Changes buffered for lookups before the indexer refreshes anyway. */
    private static final int MAX_PENDING = 20_000;

    private final int partition;
    private final Directory directory;
    private final Analyzer analyzer;
    private final IndexWriter writer;
    private final SearcherManager manager;
    private final PartitionAcl acl = new PartitionAcl();
    /** Messages changed since the indexer's last refresh (the searcher may not show them yet); indexer thread only. */
    private final Map<String, MessageDoc> pending = new HashMap<>();
    private final Object refreshLock = new Object();
    private final Object commitLock = new Object();
    private final Object progress = new Object();
    private final String epoch;
    private final long resumedFrom;
    private volatile long appliedNext;
    private volatile long searchableNext;
    private volatile long committedNext;
    private volatile long generation;
    private int waiters;
    /** Posts below this offset may already be in the index (replay after a restart); above it they cannot be. */
    private volatile long replayBound;

    private PartitionIndex(final int partition, final Directory directory, final Analyzer analyzer, final IndexWriter writer,
                           final String epoch, final long next) throws IOException {
        this.partition = partition;
        this.directory = directory;
        this.analyzer = analyzer;
        this.writer = writer;
        this.epoch = epoch;
        this.appliedNext = next;
        this.committedNext = next;
        this.searchableNext = next;
        this.resumedFrom = next;
        // Until told the log end (setReplayBound), any post after the commit may already be in it.
        this.replayBound = next == 0 && writer.getDocStats().numDocs == 0 ? 0 : Long.MAX_VALUE;
        this.manager = new SearcherManager(writer, null);
        loadAcl();
    }

    /**
     * Opens (or creates) the index in {@code directory}. An index written for another epoch (the
     * topic was recreated, or another region's log) is emptied and rebuilt from offset 0.
     *
     * @param ramBufferMb memory the writer may buffer before it flushes a segment
     */
    public static PartitionIndex open(final Directory directory, final int partition, final String epoch,
                                      final Analyzer analyzer, final double ramBufferMb) throws IOException {
        long next = 0;
        boolean wipe = false;
        if (DirectoryReader.indexExists(directory)) {
            final Map<String, String> data = SegmentInfos.readLatestCommit(directory).getUserData();
            final String storedEpoch = data.get(EPOCH);
            if (storedEpoch != null && !storedEpoch.equals(epoch)) {
                LOG.warn("search index of partition {} was built from epoch {} but the log is {}: rebuilding it from offset 0",
                        partition, storedEpoch, epoch);
                wipe = true;
            } else if (data.containsKey(NEXT_OFFSET)) {
                next = Long.parseLong(data.get(NEXT_OFFSET));
            }
        }
        final IndexWriterConfig config = new IndexWriterConfig(analyzer)
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                .setRAMBufferSizeMB(ramBufferMb)
                // An NRT reopen must never wait for merges (the default waits up to 500 ms for small
                // merges on every refresh, which is most of a searchable-after-post budget).
                .setMaxFullFlushMergeWaitMillis(0)
                .setCommitOnClose(false);
        final IndexWriter w = new IndexWriter(directory, config);
        if (wipe) {
            w.deleteAll();
        }
        final PartitionIndex index = new PartitionIndex(partition, directory, analyzer, w, epoch, next);
        if (wipe) {
            index.commit();
        }
        return index;
    }

    public int partition() {
        return partition;
    }

    public String epoch() {
        return epoch;
    }

    public PartitionAcl acl() {
        return acl;
    }

    /** The first offset not yet applied. */
    public long appliedNext() {
        return appliedNext;
    }

    /** Every event below this offset is visible to searches. */
    public long searchableNext() {
        return searchableNext;
    }

    /** The offset stored with the last commit: where a restart resumes. */
    public long committedNext() {
        return committedNext;
    }

    /** The committed offset this index opened at. */
    public long resumedFrom() {
        return resumedFrom;
    }

    /** Changes with each {@link #wipe}: a search that spans one is answered again. */
    public long generation() {
        return generation;
    }

    /** True when events were applied since the last commit. */
    public boolean dirty() {
        return committedNext != appliedNext;
    }

    /** True when events were applied since the last refresh. */
    public boolean refreshDue() {
        return searchableNext != appliedNext || pending.size() >= MAX_PENDING;
    }

    /**
     * Applies the event at {@code offset}. Events below {@link #appliedNext()} were applied before
     * and are ignored. Events that do not change what search shows (reactions, read markers,
     * topics, archiving: archived channels stay readable) only advance the offset.
     */
    public void apply(final long offset, final EventEnvelope e) throws IOException {
        if (offset < appliedNext) {
            return;
        }
        final String team = e.getTeamId();
        switch (e.getPayload()) {
            case TeamMemberJoined p -> {
                acl.joinTeam(team, p.getUserId());
                fact("tm|" + team + "|" + p.getUserId(), "tm", team, null, p.getUserId(), false);
            }
            case TeamMemberLeft p -> {
                acl.leaveTeam(team, p.getUserId());
                writer.deleteDocuments(new Term(Fields.ID, "tm|" + team + "|" + p.getUserId()));
            }
            case ChannelCreated p -> {
                final boolean priv = Boolean.TRUE.equals(p.getPrivate$());
                acl.createChannel(team, p.getChannelId(), priv);
                fact("ch|" + team + "|" + p.getChannelId(), "ch", team, p.getChannelId(), null, priv);
            }
            case MemberJoined p -> {
                acl.joinChannel(team, p.getChannelId(), p.getUserId());
                fact("cm|" + team + "|" + p.getChannelId() + "|" + p.getUserId(), "cm", team, p.getChannelId(), p.getUserId(), false);
            }
            case MemberLeft p -> {
                acl.leaveChannel(team, p.getChannelId(), p.getUserId());
                writer.deleteDocuments(new Term(Fields.ID, "cm|" + team + "|" + p.getChannelId() + "|" + p.getUserId()));
            }
            case MessagePosted p -> {
                // After a crash the log is replayed from the last commit, and a commit taken while
                // indexing may already hold later events (whole events: each is one writer operation):
                // a post found in the index keeps its reply count, and a reply found there was counted
                // already; deletes act only on what they find.
                final MessageDoc existing = offset < replayBound ? find(team, p.getMessageId()) : null;
                final MessageDoc m = new MessageDoc(team, p.getChannelId(), p.getMessageId(), e.getActorId(), p.getText(),
                        e.getOccurredAt().toEpochMilli(), 0, p.getThreadRootId(), existing == null ? 0 : existing.replies(), offset);
                final MessageDoc root = p.getThreadRootId() != null && existing == null ? find(team, p.getThreadRootId()) : null;
                write(root == null ? List.of(m) : List.of(m, root.withReplies(root.replies() + 1)), null);
            }
            case MessageEdited p -> {
                final MessageDoc m = find(team, p.getMessageId());
                if (m != null) {
                    write(List.of(m.withText(p.getText(), e.getOccurredAt().toEpochMilli())), null);
                }
            }
            case MessageDeleted p -> {
                final MessageDoc m = find(team, p.getMessageId());
                if (m != null) {
                    final MessageDoc root = m.threadRoot() == null ? null : find(team, m.threadRoot());
                    write(root == null ? List.of() : List.of(root.withReplies(root.replies() - 1)), m.key());
                }
            }
            default -> {
                // TeamCreated (its creator's TeamMemberJoined follows), topics, archiving, reactions, read markers
            }
        }
        appliedNext = offset + 1;
    }

    /**
     * Test seam: forget that events from {@code offset} on were applied, as after a restart from a
     * commit that already held them; applying them again must change nothing.
     */
    void rewindForReplay(final long offset) {
        appliedNext = Math.min(appliedNext, offset);
        replayBound = Long.MAX_VALUE;
    }

    /**
     * Tells the index the log end at start-up: a commit cannot hold events the log did not have
     * yet, so posts at or after it skip the "already indexed?" lookup.
     */
    public void setReplayBound(final long logEnd) {
        replayBound = Math.min(replayBound, Math.max(logEnd, appliedNext));
    }

    /** Marks {@code offset} applied without applying anything (an event this build cannot read, sent to the DLQ). */
    public void skip(final long offset) {
        if (offset >= appliedNext) {
            appliedNext = offset + 1;
        }
    }

    private void fact(final String id, final String kind, final String team, final String channel, final String user,
                      final boolean priv) throws IOException {
        final Document d = new Document();
        d.add(new StringField(Fields.ID, id, Field.Store.YES));
        d.add(new StringField(Fields.KIND, Fields.KIND_ACL, Field.Store.NO));
        d.add(new StoredField(Fields.ACL, kind));
        d.add(new StoredField(Fields.FACT_TEAM, team));
        if (channel != null) {
            d.add(new StoredField(Fields.FACT_CHANNEL, channel));
        }
        if (user != null) {
            d.add(new StoredField(Fields.USER, user));
        }
        if ("ch".equals(kind)) {
            d.add(new StoredField(Fields.PRIVATE, priv ? 1 : 0));
        }
        writer.updateDocument(new Term(Fields.ID, id), d);
    }

    /**
     * Writes the documents of one event and deletes {@code deletedKey} (may be null) in ONE writer
     * operation, so that a commit (an exact prefix of operations) never holds half an event.
     */
    private void write(final List<MessageDoc> docs, final String deletedKey) throws IOException {
        if (docs.size() == 1 && deletedKey == null) {
            writer.updateDocument(new Term(Fields.ID, docs.get(0).key()), docs.get(0).toDocument());
        } else if (docs.isEmpty()) {
            writer.deleteDocuments(new Term(Fields.ID, deletedKey));
        } else {
            final List<org.apache.lucene.util.BytesRef> ids = new ArrayList<>();
            final List<Document> out = new ArrayList<>();
            for (MessageDoc d : docs) {
                ids.add(new org.apache.lucene.util.BytesRef(d.key()));
                out.add(d.toDocument());
            }
            if (deletedKey != null) {
                ids.add(new org.apache.lucene.util.BytesRef(deletedKey));
            }
            writer.updateDocuments(new org.apache.lucene.search.TermInSetQuery(Fields.ID, ids), out);
        }
        for (MessageDoc d : docs) {
            pending.put(d.key(), d);
        }
        if (deletedKey != null) {
            pending.put(deletedKey, DELETED);
        }
    }

    /** The live message, as of everything applied so far; null when unknown or deleted. */
    MessageDoc find(final String team, final String messageId) throws IOException {
        final String key = Fields.messageKey(team, messageId);
        final MessageDoc p = pending.get(key);
        if (p != null) {
            return p == DELETED ? null : p;
        }
        final IndexSearcher s = manager.acquire();
        try {
            final TopDocs top = s.search(new TermQuery(new Term(Fields.ID, key)), 1);
            if (top.scoreDocs.length == 0) {
                return null;
            }
            return MessageDoc.fromDocument(s.storedFields().document(top.scoreDocs[0].doc));
        } finally {
            manager.release(s);
        }
    }

    /** Makes everything applied so far visible to searches (indexer thread). */
    public void refresh() throws IOException {
        refreshVisible();
        pending.clear();
        synchronized (progress) {
            if (waiters > 0) {
                progress.notifyAll();
            }
        }
    }

    private void refreshVisible() throws IOException {
        synchronized (refreshLock) {
            final long applied = appliedNext;
            manager.maybeRefreshBlocking();
            if (applied > searchableNext) {
                searchableNext = applied;
            }
        }
    }

    /** Wakes searches waiting in {@link #awaitSearchable} (indexer thread, after a batch). */
    public void signalProgress() {
        synchronized (progress) {
            if (waiters > 0) {
                progress.notifyAll();
            }
        }
    }

    /** True when a search waits for this partition: the indexer then refreshes at once. */
    public boolean hasWaiters() {
        synchronized (progress) {
            return waiters > 0;
        }
    }

    /**
     * Waits until every event below {@code target} is visible to searches, refreshing the
     * searcher itself once the indexer has applied them. False when {@code deadlineNanos} passed.
     */
    public boolean awaitSearchable(final long target, final long deadlineNanos) throws IOException, InterruptedException {
        while (true) {
            if (searchableNext >= target) {
                return true;
            }
            if (appliedNext >= target) {
                refreshVisible();
                continue;
            }
            final long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            synchronized (progress) {
                waiters++;
                try {
                    if (appliedNext < target) {
                        progress.wait(Math.max(1, Math.min(remaining / 1_000_000, 50)));
                    }
                } finally {
                    waiters--;
                }
            }
        }
    }

    /**
     * Commits everything applied so far with its offset. Runs on a committer thread beside the
     * indexer (a commit fsyncs and must not stall indexing): the offset is read first, so the
     * commit holds at least every event below it, perhaps a few more, which a replay after a crash
     * then applies again without effect (see {@link #apply}).
     */
    public void commit() throws IOException {
        synchronized (commitLock) {
            final long t0 = System.nanoTime();
            final long next = appliedNext;
            writer.setLiveCommitData(Map.of(NEXT_OFFSET, Long.toString(next), EPOCH, epoch).entrySet());
            writer.commit();
            committedNext = next;
            final long micros = (System.nanoTime() - t0) / 1000;
            commits++;
            commitMicros += micros;
            maxCommitMicros = Math.max(maxCommitMicros, micros);
        }
    }

    private volatile long commits;
    private volatile long commitMicros;
    private volatile long maxCommitMicros;

    /** Commits so far, their total and longest duration in microseconds. */
    public long[] commitStats() {
        return new long[] {commits, commitMicros, maxCommitMicros};
    }

    /** Empties the index and its access facts and commits offset 0: the indexer then replays from the start. */
    public void wipe() throws IOException {
        synchronized (commitLock) {
            wipeLocked();
        }
    }

    private void wipeLocked() throws IOException {
        synchronized (refreshLock) {
            generation++;
            writer.deleteAll();
            acl.clear();
            pending.clear();
            appliedNext = 0;
            searchableNext = 0;
            replayBound = 0;
            commit();
            manager.maybeRefreshBlocking();
        }
    }

    /**
     * One page of messages matching {@code query}, ranked by BM25 then newest first, after the
     * hit {@code (afterScore, afterOffset)} of a previous page ({@code afterOffset < 0}: first page).
     */
    public Page search(final Query query, final float afterScore, final long afterOffset, final int limit) throws IOException {
        final IndexSearcher s = manager.acquire();
        try {
            if (s.getIndexReader().maxDoc() == 0) {
                return new Page(List.of(), 0, true, false, 0, -1);
            }
            final FieldDoc after = afterOffset < 0 ? null
                    : new FieldDoc(Math.max(0, s.getIndexReader().maxDoc() - 1), afterScore, new Object[] {afterScore, afterOffset});
            final TopFieldDocs top = s.searchAfter(after, query, limit + 1, RANKING, true);
            final int n = Math.min(limit, top.scoreDocs.length);
            final ScoreDoc[] page = java.util.Arrays.copyOf(top.scoreDocs, n);
            final String[] snippets = snippets(s, query, page);
            final StoredFields stored = s.storedFields();
            final List<Hit> hits = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                final MessageDoc m = MessageDoc.fromDocument(stored.document(page[i].doc));
                hits.add(new Hit(m, score(page[i]), snippets[i] != null ? snippets[i] : escape(abbreviate(m.text()))));
            }
            final boolean more = top.scoreDocs.length > limit;
            final float lastScore = n == 0 ? 0 : score(page[n - 1]);
            final long lastOffset = n == 0 ? -1 : hits.get(n - 1).message().offset();
            return new Page(hits, top.totalHits.value(), top.totalHits.relation() == TotalHits.Relation.EQUAL_TO, more,
                    lastScore, lastOffset);
        } finally {
            manager.release(s);
        }
    }

    private static float score(final ScoreDoc d) {
        final float f = d instanceof FieldDoc fd && fd.fields[0] instanceof Float v ? v : d.score;
        return Float.isNaN(f) ? 0f : f;
    }

    private String[] snippets(final IndexSearcher s, final Query query, final ScoreDoc[] page) throws IOException {
        if (page.length == 0) {
            return new String[0];
        }
        final UnifiedHighlighter highlighter = UnifiedHighlighter.builder(s, analyzer)
                .withFormatter(new DefaultPassageFormatter("<mark>", "</mark>", " … ", true))
                .withBreakIterator(() -> LengthGoalBreakIterator.createClosestToLength(
                        BreakIterator.getSentenceInstance(Locale.ROOT), 160, 0.5f))
                .withHandleMultiTermQuery(true)
                .withHighlightPhrasesStrictly(true)
                .withMaxNoHighlightPassages(0)
                .build();
        final int[] docs = new int[page.length];
        for (int i = 0; i < page.length; i++) {
            docs[i] = page[i].doc;
        }
        final Map<String, String[]> out = highlighter.highlightFields(new String[] {Fields.TEXT}, query, docs, new int[] {1});
        final String[] texts = out.get(Fields.TEXT);
        final String[] result = new String[page.length];
        for (int i = 0; i < page.length; i++) {
            result[i] = texts == null || texts[i] == null ? null : abbreviateSnippet(texts[i]);
        }
        return result;
    }

    /** A sentence can be 40,000 characters: keep ~300 characters around the first match. */
    private static String abbreviateSnippet(final String html) {
        if (html.length() <= 400) {
            return html;
        }
        final int mark = html.indexOf("<mark>");
        int from = Math.max(0, mark - 120);
        int to = Math.min(html.length(), Math.max(mark, 0) + 280);
        // do not cut inside an entity or a tag
        from = safeCut(html, from, true);
        to = safeCut(html, to, false);
        String s = html.substring(from, to);
        final int open = s.split("<mark>", -1).length - 1;
        final int close = s.split("</mark>", -1).length - 1;
        if (open > close) {
            s = s + "</mark>";
        }
        return (from > 0 ? "… " : "") + s + (to < html.length() ? " …" : "");
    }

    private static int safeCut(final String html, final int at, final boolean forward) {
        final int amp = html.lastIndexOf('&', at);
        final int semi = html.lastIndexOf(';', at);
        final int lt = html.lastIndexOf('<', at);
        final int gt = html.lastIndexOf('>', at);
        int cut = at;
        if (amp > semi && at - amp < 10) {
            cut = forward ? Math.max(0, amp) : amp;
        }
        if (lt > gt) {
            cut = Math.min(cut, lt);
        }
        return Math.max(0, Math.min(html.length(), cut));
    }

    private static String abbreviate(final String text) {
        return text.length() <= 300 ? text : text.substring(0, Character.isHighSurrogate(text.charAt(299)) ? 299 : 300) + " …";
    }

    private static String escape(final String s) {
        final StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#x27;");
                case '/' -> b.append("&#x2F;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Counts of documents, by kind, and an order-independent SHA-256-based checksum of every stored field. */
    public record Checksum(long messages, long facts, String checksum, long searchableNext) {
    }

    /** The checksum of what searches see now: equal indexes (live vs rebuilt) have equal checksums. */
    public Checksum checksum() throws IOException {
        final IndexSearcher s = manager.acquire();
        final long at = searchableNext;
        try {
            final long[] sums = new long[4];
            final MessageDigest sha = sha256();
            forEachLive(s, new MatchAllDocsQuery(), d -> {
                final List<String> parts = new ArrayList<>();
                for (IndexableField f : d.getFields()) {
                    parts.add(f.name() + "=" + (f.numericValue() != null ? f.numericValue().toString() : f.stringValue()));
                }
                java.util.Collections.sort(parts);
                final byte[] h = sha.digest(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8));
                long v = 0;
                for (int i = 0; i < 8; i++) {
                    v = (v << 8) | (h[i] & 0xff);
                }
                sums[0] += v;
                sums[1] ^= Long.rotateLeft(v, 17) * 0x9E3779B97F4A7C15L;
                if (d.get(Fields.ID).startsWith("m|")) {
                    sums[2]++;
                } else {
                    sums[3]++;
                }
            });
            return new Checksum(sums[2], sums[3], String.format("%016x%016x", sums[0], sums[1]), at);
        } finally {
            manager.release(s);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void loadAcl() throws IOException {
        final IndexSearcher s = manager.acquire();
        try {
            final int[] count = new int[1];
            forEachLive(s, new TermQuery(new Term(Fields.KIND, Fields.KIND_ACL)), d -> {
                count[0]++;
                final String team = d.get(Fields.FACT_TEAM);
                switch (d.get(Fields.ACL)) {
                    case "tm" -> acl.joinTeam(team, d.get(Fields.USER));
                    case "ch" -> acl.createChannel(team, d.get(Fields.FACT_CHANNEL), d.getField(Fields.PRIVATE).numericValue().intValue() == 1);
                    case "cm" -> acl.joinChannel(team, d.get(Fields.FACT_CHANNEL), d.get(Fields.USER));
                    default -> LOG.warn("unknown access fact {} in partition {}", d.get(Fields.ID), partition);
                }
            });
            if (count[0] > 0) {
                LOG.info("search partition {}: loaded {} access facts of {} teams at offset {}", partition, count[0],
                        acl.teams(), appliedNext);
            }
        } finally {
            manager.release(s);
        }
    }

    private static void forEachLive(final IndexSearcher s, final Query query, final Consumer<Document> action) throws IOException {
        final Weight w = s.createWeight(s.rewrite(query), ScoreMode.COMPLETE_NO_SCORES, 1f);
        for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
            final Scorer scorer = w.scorer(leaf);
            if (scorer == null) {
                continue;
            }
            final Bits live = leaf.reader().getLiveDocs();
            final StoredFields stored = leaf.reader().storedFields();
            final DocIdSetIterator it = scorer.iterator();
            for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
                if (live == null || live.get(doc)) {
                    action.accept(stored.document(doc));
                }
            }
        }
    }

    /** Live documents (messages and access facts). */
    public int numDocs() {
        return writer.getDocStats().numDocs;
    }

    /** Commits (when asked) and closes. Without a commit the index keeps its last commit, like after kill -9. */
    public void close(final boolean commitFirst) throws IOException {
        try {
            if (commitFirst && dirty()) {
                commit();
            }
        } finally {
            try {
                manager.close();
            } finally {
                try {
                    if (commitFirst) {
                        writer.close();
                    } else {
                        writer.rollback();
                    }
                } finally {
                    directory.close();
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        close(true);
    }
}
