package chat.edge.protocol;

import chat.common.ids.Ids;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * Parses client frames strictly: one JSON object with {@code op}, {@code teamId} and an optional
 * {@code id}. Unknown fields are refused ({@link ErrorCode#INVALID_FIELD}) rather than ignored, so
 * that a client sending a field of a later protocol version (e.g. {@code since} for resume) to an
 * edge that does not know it learns so instead of silently missing events.
 *
 * <pre>{@code
 * ClientCommand c = CommandParser.parse("{\"op\":\"subscribe\",\"teamId\":\"t1\"}");
 * }</pre>
 */
public final class CommandParser {
    private CommandParser() {
    }

    /**
     * Parses one frame.
     *
     * @throws ProtocolException with the stable code of the first problem found
     */
    public static ClientCommand parse(final String text) throws ProtocolException {
        String op = null;
        String teamId = null;
        String id = null;
        String typeProblem = null;
        String unknownField = null;
        try (JsonParser p = Json.FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ProtocolException(ErrorCode.MALFORMED_JSON, "a frame must be one JSON object", null);
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                final String name = p.currentName();
                final JsonToken value = p.nextToken();
                final String s = value == JsonToken.VALUE_STRING ? p.getText() : null;
                if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                    p.skipChildren();
                }
                switch (name) {
                    case "op" -> op = s;
                    case "teamId" -> teamId = s;
                    case "id" -> id = s;
                    default -> {
                        if (unknownField == null) {
                            unknownField = name;
                        }
                        continue;
                    }
                }
                if (s == null && typeProblem == null) {
                    typeProblem = name + " must be a string, got " + value;
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new ProtocolException(ErrorCode.MALFORMED_JSON, "trailing content after the JSON object", null);
            }
        } catch (JsonProcessingException e) {
            throw new ProtocolException(ErrorCode.MALFORMED_JSON, "malformed JSON: " + e.getOriginalMessage(), null);
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.MALFORMED_JSON, "unreadable frame: " + e.getMessage(), null);
        }

        if (id != null && !Ids.isValid(id)) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "id must match [A-Za-z0-9_-]{1,64}", null);
        }
        if (typeProblem != null) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, typeProblem, id);
        }
        if (unknownField != null) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "unknown field '" + printable(unknownField)
                    + "'; this edge knows op, teamId, id", id);
        }
        if (op == null) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "op is required", id);
        }
        return switch (op) {
            case "subscribe" -> new ClientCommand.Subscribe(requireTeam(teamId, id), id);
            case "unsubscribe" -> new ClientCommand.Unsubscribe(requireTeam(teamId, id), id);
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_OP, "unknown op '" + printable(op)
                    + "'; known: subscribe, unsubscribe", id);
        };
    }

    private static String requireTeam(final String teamId, final String id) throws ProtocolException {
        if (teamId == null) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "teamId is required", id);
        }
        if (!Ids.isValid(teamId)) {
            throw new ProtocolException(ErrorCode.INVALID_TEAM_ID, "teamId must match [A-Za-z0-9_-]{1,64}", id);
        }
        return teamId;
    }

    /** Echo at most 64 printable ASCII characters of client input in messages. */
    private static String printable(final String s) {
        final String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
