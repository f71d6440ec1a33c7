package chat.search.index;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexableField;

/**
 * One live message as indexed: its text as of the last edit, where it was posted, its thread, and
 * the offset of its {@code MessagePosted} event (its position).
 *
 * @param team        team id
 * @param channel     channel id
 * @param messageId   message id
 * @param author      author's user id
 * @param text        current text
 * @param created     occurredAt of the post, epoch millis
 * @param edited      occurredAt of the last edit, epoch millis; 0 = never edited
 * @param threadRoot  the root's message id for a reply; null for a root message
 * @param replies     live replies of this message (a root)
 * @param offset      offset of the MessagePosted event in the partition
 */
public record MessageDoc(String team, String channel, String messageId, String author, String text, long created,
                         long edited, String threadRoot, int replies, long offset) {
    static final FieldType TEXT_TYPE;

    static {
        final FieldType t = new FieldType(TextField.TYPE_STORED);
        // Offsets in the postings: the unified highlighter then needs no re-analysis.
        t.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS_AND_OFFSETS);
        t.freeze();
        TEXT_TYPE = t;
    }

    String key() {
        return Fields.messageKey(team, messageId);
    }

    MessageDoc withText(final String newText, final long editedAt) {
        return new MessageDoc(team, channel, messageId, author, newText, created, editedAt, threadRoot, replies, offset);
    }

    MessageDoc withReplies(final int n) {
        return new MessageDoc(team, channel, messageId, author, text, created, edited, threadRoot, Math.max(0, n), offset);
    }

    Document toDocument() {
        final Document d = new Document();
        d.add(new StringField(Fields.ID, key(), Field.Store.YES));
        d.add(new StringField(Fields.KIND, Fields.KIND_MESSAGE, Field.Store.NO));
        d.add(new StringField(Fields.TEAM, team, Field.Store.YES));
        d.add(new StringField(Fields.CHANNEL, channel, Field.Store.YES));
        d.add(new StringField(Fields.AUTHOR, author, Field.Store.YES));
        d.add(new StoredField(Fields.MESSAGE_ID, messageId));
        d.add(new Field(Fields.TEXT, text, TEXT_TYPE));
        d.add(new LongPoint(Fields.CREATED, created));
        d.add(new StoredField(Fields.CREATED, created));
        if (edited > 0) {
            d.add(new StoredField(Fields.EDITED, edited));
        }
        if (threadRoot != null) {
            d.add(new StringField(Fields.THREAD_ROOT, threadRoot, Field.Store.YES));
        }
        d.add(new StoredField(Fields.REPLIES, replies));
        if (replies > 0) {
            d.add(new StringField(Fields.HAS_THREAD, "yes", Field.Store.NO));
        }
        d.add(new NumericDocValuesField(Fields.OFFSET, offset));
        d.add(new StoredField(Fields.OFFSET, offset));
        return d;
    }

    static MessageDoc fromDocument(final Document d) {
        final IndexableField edited = d.getField(Fields.EDITED);
        return new MessageDoc(d.get(Fields.TEAM), d.get(Fields.CHANNEL), d.get(Fields.MESSAGE_ID), d.get(Fields.AUTHOR),
                d.get(Fields.TEXT), d.getField(Fields.CREATED).numericValue().longValue(),
                edited == null ? 0 : edited.numericValue().longValue(), d.get(Fields.THREAD_ROOT),
                d.getField(Fields.REPLIES).numericValue().intValue(), d.getField(Fields.OFFSET).numericValue().longValue());
    }
}
