package chat.common.redis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReadCacheKeysTest {

    @Test
    void givenAPartition_thenEveryKeyCarriesItsHashTagAndTheDocumentedShape() {
        assertThat(ReadCacheKeys.state(7)).isEqualTo("rc:{p7}:s");
        assertThat(ReadCacheKeys.team(7, "acme")).isEqualTo("rc:{p7}:t:acme");
        assertThat(ReadCacheKeys.teamMembers(7, "acme")).isEqualTo("rc:{p7}:tm:acme");
        assertThat(ReadCacheKeys.channel(7, "acme", "general")).isEqualTo("rc:{p7}:c:acme:general");
        assertThat(ReadCacheKeys.channelMembers(7, "acme", "general")).isEqualTo("rc:{p7}:cm:acme:general");
        assertThat(ReadCacheKeys.window(7, "acme", "general")).isEqualTo("rc:{p7}:w:acme:general");
        assertThat(ReadCacheKeys.bodies(7, "acme", "general")).isEqualTo("rc:{p7}:b:acme:general");
        assertThatThrownBy(() -> ReadCacheKeys.prefix(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenTheLuaLayout_thenItIsBuiltFromTheSameConstantsAsTheJavaOne() {
        // Every Java key shape appears in the Lua prelude, so the two cannot drift apart silently.
        for (String part : new String[] {"'s'", "'t:'", "'tm:'", "'c:'", "'cm:'", "'w:'", "'b:'"}) {
            assertThat(ReadCacheKeys.LUA_KEYS).contains(part);
        }
        assertThat(ReadCacheKeys.APPLY).startsWith(ReadCacheKeys.LUA_KEYS);
        assertThat(ReadCacheKeys.READ).startsWith(ReadCacheKeys.LUA_KEYS);
        assertThat(ReadCacheKeys.INSTALL).startsWith(ReadCacheKeys.LUA_KEYS);
        assertThat(ReadCacheKeys.sha1("return 1")).isEqualTo("e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
    }

    @Test
    void givenEpochTokens_thenTheyNeverRepeat() {
        final java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.add(ReadCacheKeys.newEpoch())).isTrue();
        }
    }

    @Test
    void givenAMessage_whenEncoded_thenItIsTheReadApiObjectWithSpliceableFields() throws Exception {
        final CachedMessage m = new CachedMessage("m1", "bob", "h\u00e9llo \"/\" \n,\"createdAt\":", "2026-11-21T10:00:00.123Z", null, 3,
                1_234_567_890L, 2, "2026-11-21T10:01:00Z");
        final java.io.StringWriter out = new java.io.StringWriter();
        try (com.fasterxml.jackson.core.JsonGenerator g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(out)) {
            m.writeJson(g);
        }
        assertThat(m.encode()).isEqualTo(out.toString());
        assertThat(m.encode()).isEqualTo("{\"messageId\":\"m1\",\"authorId\":\"bob\",\"text\":\"h\u00e9llo \\\"/\\\" \\n,\\\"createdAt\\\":\","
                + "\"createdAt\":\"2026-11-21T10:00:00.123Z\",\"editedAt\":null,\"position\":{\"partition\":3,\"offset\":1234567890},"
                + "\"replyCount\":2,\"lastReplyAt\":\"2026-11-21T10:01:00Z\"}");
        // the separators the scripts splice between occur once each, in order, even when the text imitates one
        final String s = m.encode();
        int at = 0;
        for (String sep : new String[] {CachedMessage.TEXT, CachedMessage.CREATED_AT, CachedMessage.EDITED_AT, CachedMessage.POSITION,
                CachedMessage.REPLY_COUNT, CachedMessage.LAST_REPLY_AT}) {
            final int i = s.indexOf(sep, at);
            assertThat(i).as(sep).isGreaterThan(at - 1);
            assertThat(s.indexOf(sep, i + 1)).as(sep + " once").isEqualTo(-1);
            at = i + sep.length();
        }
        assertThat(CachedMessage.jsonString(null)).isEqualTo("null");
        assertThat(CachedMessage.jsonString("a\"b/\u0001")).isEqualTo("\"a\\\"b/\\u0001\"");
        assertThat(CachedMessage.jsonNumber(42)).isEqualTo("42");
    }

    @Test
    void givenTheScripts_thenTheyCheckTheLayoutVersionAndReadJoinsStoredObjects() {
        assertThat(ReadCacheKeys.LUA_KEYS).contains("local F = '" + ReadCacheKeys.FORMAT + "'");
        assertThat(ReadCacheKeys.APPLY).contains("'" + CachedMessage.TEXT + "'").contains("'" + CachedMessage.LAST_REPLY_AT + "'");
        assertThat(ReadCacheKeys.READ).contains("table.concat(bodies, ',')").doesNotContain("%%");
    }

    @Test
    void givenBadSettings_thenAllProblemsAreListed() {
        assertThatThrownBy(() -> new ReadCacheSettings(true, 0, 0)).hasMessageContaining("window").hasMessageContaining("queue-capacity");
        assertThat(ReadCacheSettings.defaults().window()).isEqualTo(200);
    }
}
