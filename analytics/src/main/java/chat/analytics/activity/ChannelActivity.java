package chat.analytics.activity;

import java.time.Instant;
import java.util.Objects;

/**
 * One record of {@code analytics.channel-activity}: the number of messages posted in one channel
 * during one UTC hour (by {@code occurredAt}).
 *
 * <pre>{@code
 * key   = "t1/general/2026-11-21T10:00:00Z"
 * value = {"teamId":"t1","channelId":"general","hourStart":"2026-11-21T10:00:00Z","hourEnd":"2026-11-21T11:00:00Z","messages":42}
 * }</pre>
 */
public record ChannelActivity(String teamId, String channelId, Instant hourStart, Instant hourEnd, long messages) {
    public ChannelActivity {
        Objects.requireNonNull(teamId, "teamId");
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(hourStart, "hourStart");
        Objects.requireNonNull(hourEnd, "hourEnd");
        if (messages < 1) {
            throw new IllegalArgumentException("an emitted window holds at least one message, got " + messages);
        }
    }

    /** {@code teamId/channelId/hourStart}: unique per window, so the compacted topic keeps one value per window. */
    public String key() {
        return teamId + "/" + channelId + "/" + hourStart;
    }

    /** The JSON value; field order fixed, so equal windows render to equal bytes. */
    public String toJson() {
        return "{\"teamId\":" + quote(teamId) + ",\"channelId\":" + quote(channelId)
                + ",\"hourStart\":\"" + hourStart + "\",\"hourEnd\":\"" + hourEnd + "\",\"messages\":" + messages + "}";
    }

    static String quote(final String s) {
        final StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
