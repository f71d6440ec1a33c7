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
        String channelId = null;
        String state = null;
        ClientCommand.Since since = null;
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
                if ("since".equals(name) && value == JsonToken.START_OBJECT) {
                    since = parseSince(p);
                    continue;
                }
                if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                    p.skipChildren();
                }
                switch (name) {
                    case "op" -> op = s;
                    case "teamId" -> teamId = s;
                    case "id" -> id = s;
                    case "channelId" -> channelId = s;
                    case "state" -> state = s;
                    case "since" -> {
                        if (value != JsonToken.VALUE_NULL && typeProblem == null) {
                            typeProblem = "since must be an object {epoch, partition, offset}, got " + value;
                        }
                        continue;
                    }
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
        } catch (SinceProblem e) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, e.getMessage(), id);
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
                    + "'; this edge knows op, teamId, channelId, state, since, id", id);
        }
        if (op == null) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "op is required", id);
        }
        if ((channelId != null) != "typing".equals(op)) {
            if (channelId != null) {
                throw new ProtocolException(ErrorCode.INVALID_FIELD, "channelId is only allowed with typing", id);
            }
            if ("typing".equals(op)) {
                throw new ProtocolException(ErrorCode.MISSING_FIELD, "channelId is required", id);
            }
        }
        if (state != null && !"presence".equals(op)) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "state is only allowed with presence", id);
        }
        return switch (op) {
            case "subscribe" -> new ClientCommand.Subscribe(requireTeam(teamId, id), since, id);
            case "typing" -> {
                if (since != null) {
                    throw new ProtocolException(ErrorCode.INVALID_FIELD, "since is only allowed with subscribe", id);
                }
                final String team = requireTeam(teamId, id);
                if (!Ids.isValid(channelId)) {
                    throw new ProtocolException(ErrorCode.INVALID_FIELD, "channelId must match [A-Za-z0-9_-]{1,64}", id);
                }
                yield new ClientCommand.Typing(team, channelId, id);
            }
            case "presence" -> {
                if (since != null || teamId != null) {
                    throw new ProtocolException(ErrorCode.INVALID_FIELD, "presence takes no teamId or since", id);
                }
                if (state == null) {
                    throw new ProtocolException(ErrorCode.MISSING_FIELD, "state is required (online or away)", id);
                }
                if (!"online".equals(state) && !"away".equals(state)) {
                    throw new ProtocolException(ErrorCode.INVALID_FIELD, "state must be online or away", id);
                }
                yield new ClientCommand.SetPresence(state, id);
            }
            case "ping" -> {
                if (since != null || teamId != null) {
                    throw new ProtocolException(ErrorCode.INVALID_FIELD, "ping takes no teamId or since", id);
                }
                yield new ClientCommand.Ping(id);
            }
            case "unsubscribe" -> {
                if (since != null) {
                    throw new ProtocolException(ErrorCode.INVALID_FIELD, "since is only allowed with subscribe", id);
                }
                yield new ClientCommand.Unsubscribe(requireTeam(teamId, id), id);
            }
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_OP, "unknown op '" + printable(op)
                    + "'; known: subscribe, unsubscribe, ping, typing, presence", id);
        };
    }

    /** A {@code since} object that is well-formed JSON but not a position (the error carries the id if read before). */
    private static final class SinceProblem extends IOException {
        SinceProblem(final String message) {
            super(message, null);
        }
    }

    private static ClientCommand.Since parseSince(final JsonParser p) throws IOException {
        String epoch = null;
        Long partition = null;
        Long offset = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            final String name = p.currentName();
            final JsonToken value = p.nextToken();
            switch (name) {
                case "epoch" -> {
                    if (value != JsonToken.VALUE_STRING) {
                        throw new SinceProblem("since.epoch must be a string");
                    }
                    epoch = p.getText();
                }
                case "partition", "offset" -> {
                    if (value != JsonToken.VALUE_NUMBER_INT) {
                        throw new SinceProblem("since." + name + " must be an integer");
                    }
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        throw new SinceProblem("since." + name + " is out of range");
                    }
                    if ("partition".equals(name)) {
                        partition = p.getLongValue();
                    } else {
                        offset = p.getLongValue();
                    }
                }
                default -> throw new SinceProblem("unknown field 'since." + printable(name)
                        + "'; since holds epoch, partition, offset");
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new SinceProblem("since must be an object");
        }
        if (epoch == null || partition == null || offset == null) {
            throw new SinceProblem("since needs epoch, partition and offset");
        }
        if (epoch.isEmpty() || epoch.length() > 128) {
            throw new SinceProblem("since.epoch must be 1..128 characters");
        }
        if (partition < 0 || partition > Integer.MAX_VALUE) {
            throw new SinceProblem("since.partition must be >= 0");
        }
        if (offset < -1) {
            throw new SinceProblem("since.offset must be >= -1");
        }
        return new ClientCommand.Since(epoch, partition.intValue(), offset);
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
