package chat.projector.topology;

import chat.common.ids.Ids;
import chat.events.ChannelArchived;
import chat.events.ChannelCreated;
import chat.events.ChannelTopicChanged;
import chat.events.EventEnvelope;
import chat.events.MemberJoined;
import chat.events.MemberLeft;
import chat.events.MessageDeleted;
import chat.events.MessageEdited;
import chat.events.MessagePosted;
import chat.events.ReactionAdded;
import chat.events.ReactionRemoved;
import chat.events.ReadMarked;
import chat.events.TeamCreated;
import chat.events.TeamMemberJoined;
import chat.events.TeamMemberLeft;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Why a record of {@code chat.events} cannot be projected: a stable code plus a human detail,
 * written to the {@code dlq.reason} header as {@code CODE: detail}.
 *
 * <pre>{@code
 * Rejection r = Rejection.check(key, envelope); // null when the event is valid
 * }</pre>
 *
 * @param code   stable machine code: {@code DECODE_FAILED}, {@code KEY_MISMATCH}, {@code INVALID_PAYLOAD}
 * @param detail human readable, with the offending values
 */
record Rejection(String code, String detail) {
    static final String DECODE_FAILED = "DECODE_FAILED";
    static final String KEY_MISMATCH = "KEY_MISMATCH";
    static final String INVALID_PAYLOAD = "INVALID_PAYLOAD";
    private static final Set<String> ROLES = Set.of("member", "admin");

    /** The header value. */
    String reason() {
        return code + ": " + detail;
    }

    /** Null when the decoded event may be projected, else why not. */
    static Rejection check(final byte[] key, final EventEnvelope e) {
        final String keyText = key == null ? null : new String(key, StandardCharsets.UTF_8);
        if (keyText == null || !keyText.equals(e.getTeamId())) {
            return new Rejection(KEY_MISMATCH, "record key " + (keyText == null ? "null" : "'" + abbreviate(keyText) + "'")
                    + " differs from envelope teamId '" + abbreviate(e.getTeamId()) + "'");
        }
        final List<String> problems = new ArrayList<>();
        requireId(problems, "teamId", e.getTeamId());
        requireId(problems, "actorId", e.getActorId());
        if (e.getEventId() == null || e.getEventId().isBlank()) {
            problems.add("eventId is empty");
        }
        if (e.getOccurredAt() == null) {
            problems.add("occurredAt is missing");
        }
        switch (e.getPayload()) {
            case TeamCreated p -> requireText(problems, "name", p.getName());
            case TeamMemberJoined p -> {
                requireId(problems, "userId", p.getUserId());
                if (!ROLES.contains(p.getRole())) {
                    problems.add("role must be member or admin, got '" + abbreviate(p.getRole()) + "'");
                }
            }
            case TeamMemberLeft p -> requireId(problems, "userId", p.getUserId());
            case ChannelCreated p -> {
                requireId(problems, "channelId", p.getChannelId());
                requireText(problems, "name", p.getName());
            }
            case ChannelTopicChanged p -> requireId(problems, "channelId", p.getChannelId());
            case ChannelArchived p -> requireId(problems, "channelId", p.getChannelId());
            case MemberJoined p -> {
                requireId(problems, "channelId", p.getChannelId());
                requireId(problems, "userId", p.getUserId());
                if (p.getInvitedBy() != null) {
                    requireId(problems, "invitedBy", p.getInvitedBy());
                }
            }
            case MemberLeft p -> {
                requireId(problems, "channelId", p.getChannelId());
                requireId(problems, "userId", p.getUserId());
            }
            case MessagePosted p -> {
                requireId(problems, "channelId", p.getChannelId());
                requireId(problems, "messageId", p.getMessageId());
                if (p.getText() == null) {
                    problems.add("text is missing");
                }
                if (p.getThreadRootId() != null) {
                    requireId(problems, "threadRootId", p.getThreadRootId());
                }
            }
            case MessageEdited p -> {
                requireId(problems, "channelId", p.getChannelId());
                requireId(problems, "messageId", p.getMessageId());
                if (p.getText() == null) {
                    problems.add("text is missing");
                }
            }
            case MessageDeleted p -> {
                requireId(problems, "channelId", p.getChannelId());
                requireId(problems, "messageId", p.getMessageId());
            }
            case ReactionAdded p -> {
                requireId(problems, "channelId", p.getChannelId());
                requireId(problems, "messageId", p.getMessageId());
                requireText(problems, "emoji", p.getEmoji());
            }
            case ReactionRemoved p -> {
                requireId(problems, "channelId", p.getChannelId());
                requireId(problems, "messageId", p.getMessageId());
                requireText(problems, "emoji", p.getEmoji());
            }
            case ReadMarked p -> {
                requireId(problems, "channelId", p.getChannelId());
                requireId(problems, "messageId", p.getMessageId());
            }
            case null -> problems.add("payload is missing");
            default -> problems.add("unknown payload type " + e.getPayload().getClass().getName());
        }
        return problems.isEmpty() ? null : new Rejection(INVALID_PAYLOAD, String.join("; ", problems));
    }

    private static void requireId(final List<String> problems, final String field, final String value) {
        if (!Ids.isValid(value)) {
            problems.add(field + " must match [A-Za-z0-9_-]{1,64}, got "
                    + (value == null ? "nothing" : "'" + abbreviate(value) + "'"));
        }
    }

    private static void requireText(final List<String> problems, final String field, final String value) {
        if (value == null || value.isBlank()) {
            problems.add(field + " is empty");
        }
    }

    private static String abbreviate(final String s) {
        if (s == null) {
            return "null";
        }
        final String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 80 ? clean.substring(0, 77) + "..." : clean;
    }
}
