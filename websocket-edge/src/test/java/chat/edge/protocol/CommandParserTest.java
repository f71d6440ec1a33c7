package chat.edge.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class CommandParserTest {

    @Test
    void shouldParseSubscribeAndUnsubscribe() throws ProtocolException {
        assertThat(CommandParser.parse("{\"op\":\"subscribe\",\"teamId\":\"t1\"}"))
                .isEqualTo(new ClientCommand.Subscribe("t1", null));
        assertThat(CommandParser.parse(" {\"teamId\":\"T_2-x\", \"op\":\"unsubscribe\", \"id\":\"r7\"} "))
                .isEqualTo(new ClientCommand.Unsubscribe("T_2-x", "r7"));
    }

    @Test
    void shouldParseTypingAndPresence() throws ProtocolException {
        assertThat(CommandParser.parse("{\"op\":\"typing\",\"teamId\":\"t1\",\"channelId\":\"general\",\"id\":\"r1\"}"))
                .isEqualTo(new ClientCommand.Typing("t1", "general", "r1"));
        assertThat(CommandParser.parse("{\"op\":\"presence\",\"state\":\"away\"}"))
                .isEqualTo(new ClientCommand.SetPresence("away", null));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "`{\"op\":\"typing\",\"teamId\":\"t1\"}`                          | MISSING_FIELD",
            "`{\"op\":\"typing\",\"channelId\":\"c\"}`                        | MISSING_FIELD",
            "`{\"op\":\"typing\",\"teamId\":\"t1\",\"channelId\":\"a b\"}`  | INVALID_FIELD",
            "`{\"op\":\"subscribe\",\"teamId\":\"t1\",\"channelId\":\"c\"}` | INVALID_FIELD",
            "`{\"op\":\"presence\"}`                                          | MISSING_FIELD",
            "`{\"op\":\"presence\",\"state\":\"offline\"}`                    | INVALID_FIELD",
            "`{\"op\":\"presence\",\"state\":\"away\",\"teamId\":\"t1\"}`   | INVALID_FIELD",
            "`{\"op\":\"ping\",\"state\":\"away\"}`                           | INVALID_FIELD",
    })
    void givenBadTypingOrPresence_thenStableCode(final String frame, final ErrorCode code) {
        assertThat(catchThrowableOfType(ProtocolException.class, () -> CommandParser.parse(frame)).code())
                .isEqualTo(code);
    }

    @Test
    void shouldParseSubscribeWithSincePosition() throws ProtocolException {
        assertThat(CommandParser.parse("{\"op\":\"subscribe\",\"teamId\":\"t1\",\"id\":\"r1\","
                + "\"since\":{\"epoch\":\"dev.Qx3\",\"partition\":3,\"offset\":41}}"))
                .isEqualTo(new ClientCommand.Subscribe("t1", new ClientCommand.Since("dev.Qx3", 3, 41), "r1"));
        assertThat(CommandParser.parse("{\"since\":{\"offset\":-1,\"partition\":0,\"epoch\":\"e\"},"
                + "\"op\":\"subscribe\",\"teamId\":\"t1\"}"))
                .isEqualTo(new ClientCommand.Subscribe("t1", new ClientCommand.Since("e", 0, -1), null));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "`{`                                                    | MALFORMED_JSON",
            "`not json`                                             | MALFORMED_JSON",
            "`[1,2]`                                                | MALFORMED_JSON",
            "`\"subscribe\"`                                        | MALFORMED_JSON",
            "`{\"op\":\"subscribe\",\"teamId\":\"t1\"} {}`          | MALFORMED_JSON",
            "`{\"op\":\"subscribe\",\"op\":\"subscribe\",\"teamId\":\"t1\"}` | MALFORMED_JSON",
            "`{\"teamId\":\"t1\"}`                                  | MISSING_FIELD",
            "`{\"op\":\"subscribe\"}`                               | MISSING_FIELD",
            "`{\"op\":\"publish\",\"teamId\":\"t1\"}`               | UNKNOWN_OP",
            "`{\"op\":\"subscribe\",\"teamId\":\"t 1\"}`            | INVALID_TEAM_ID",
            "`{\"op\":\"subscribe\",\"teamId\":\"\"}`               | INVALID_TEAM_ID",
            "`{\"op\":\"subscribe\",\"teamId\":\"t/../1\"}`         | INVALID_TEAM_ID",
            "`{\"op\":\"subscribe\",\"teamId\":7}`                  | INVALID_FIELD",
            "`{\"op\":[\"subscribe\"],\"teamId\":\"t1\"}`           | INVALID_FIELD",
            "`{\"op\":\"subscribe\",\"teamId\":\"t1\",\"since\":{\"offset\":1}}` | INVALID_FIELD",
            "`{\"op\":\"subscribe\",\"teamId\":\"t1\",\"id\":\"has space\"}` | INVALID_FIELD",
            "`{\"op\":\"subscribe\",\"teamId\":\"t1\",\"since\":{\"epoch\":\"e\",\"partition\":1,\"offset\":-2}}` | INVALID_FIELD",
            "`{\"op\":\"subscribe\",\"teamId\":\"t1\",\"since\":{\"epoch\":\"e\",\"partition\":-1,\"offset\":2}}` | INVALID_FIELD",
            "`{\"op\":\"subscribe\",\"teamId\":\"t1\",\"since\":{\"epoch\":\"e\",\"partition\":1,\"offset\":\"2\"}}` | INVALID_FIELD",
            "`{\"op\":\"subscribe\",\"teamId\":\"t1\",\"since\":{\"epoch\":\"e\",\"partition\":1,\"offset\":2,\"x\":1}}` | INVALID_FIELD",
            "`{\"op\":\"subscribe\",\"teamId\":\"t1\",\"since\":\"e:1:2\"}` | INVALID_FIELD",
            "`{\"op\":\"unsubscribe\",\"teamId\":\"t1\",\"since\":{\"epoch\":\"e\",\"partition\":1,\"offset\":2}}` | INVALID_FIELD",
    })
    void givenBadFrame_whenParsed_thenStableCode(final String frame, final ErrorCode expected) {
        final ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> CommandParser.parse(frame));
        assertThat(e).as("frame %s", frame).isNotNull();
        assertThat(e.code()).isEqualTo(expected);
        assertThat(e.getMessage()).isNotBlank();
    }

    @Test
    void givenTooLongTeamId_whenParsed_thenInvalidTeamId() {
        final String frame = "{\"op\":\"subscribe\",\"teamId\":\"" + "a".repeat(65) + "\"}";
        assertThat(catchThrowableOfType(ProtocolException.class, () -> CommandParser.parse(frame)).code())
                .isEqualTo(ErrorCode.INVALID_TEAM_ID);
    }

    @Test
    void givenRequestId_whenRefused_thenTheIdIsKeptForTheReply() {
        final ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> CommandParser.parse("{\"op\":\"nope\",\"id\":\"r9\"}"));
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_OP);
        assertThat(e.requestId()).isEqualTo("r9");
    }

    @Test
    void givenUnknownOpWithControlCharacters_whenRefused_thenMessageIsPrintable() {
        final ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> CommandParser.parse("{\"op\":\"x\\n\\u0000y\"}"));
        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\u0000");
    }
}
