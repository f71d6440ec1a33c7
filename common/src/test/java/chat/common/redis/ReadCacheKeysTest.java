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
    void givenAMessage_whenEncodedAndDecoded_thenNothingIsLost() {
        final CachedMessage m = new CachedMessage("m1", "bob", "h\u00e9llo \"/\" \n", "2026-11-21T10:00:00.123Z", null, 3, 1_234_567_890L, 2,
                "2026-11-21T10:01:00Z");
        assertThat(CachedMessage.decode(m.encode())).isEqualTo(m);
        assertThat(m.encode()).isEqualTo("[\"m1\",\"bob\",\"h\u00e9llo \\\"/\\\" \\n\",\"2026-11-21T10:00:00.123Z\",null,3,1234567890,2,"
                + "\"2026-11-21T10:01:00Z\"]");
    }

    @Test
    void givenTheFormLuaCjsonWritesBack_thenItDecodes() {
        // cjson escapes '/' and may print integral numbers with an exponent-free float form.
        final CachedMessage m = CachedMessage.decode("[\"m1\",\"bob\",\"a\\/b\",\"2026-11-21T10:00:00Z\",\"2026-11-21T10:02:00Z\",3,42,1.0,null]");
        assertThat(m.text()).isEqualTo("a/b");
        assertThat(m.replyCount()).isEqualTo(1);
        assertThat(m.offset()).isEqualTo(42);
        assertThatThrownBy(() -> CachedMessage.decode("{}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CachedMessage.decode("[\"m1\"]")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenAMessage_whenRendered_thenItIsTheReadApiObject() throws Exception {
        final java.io.StringWriter out = new java.io.StringWriter();
        try (com.fasterxml.jackson.core.JsonGenerator g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(out)) {
            new CachedMessage("m1", "bob", "hi", "2026-11-21T10:00:00Z", null, 3, 42, 0, null).writeJson(g);
        }
        assertThat(out.toString()).isEqualTo("{\"messageId\":\"m1\",\"authorId\":\"bob\",\"text\":\"hi\",\"createdAt\":\"2026-11-21T10:00:00Z\","
                + "\"editedAt\":null,\"position\":{\"partition\":3,\"offset\":42},\"replyCount\":0,\"lastReplyAt\":null}");
    }

    @Test
    void givenBadSettings_thenAllProblemsAreListed() {
        assertThatThrownBy(() -> new ReadCacheSettings(true, 0, 0)).hasMessageContaining("window").hasMessageContaining("queue-capacity");
        assertThat(ReadCacheSettings.defaults().window()).isEqualTo(200);
    }
}
