package chat.common.redis;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ChannelListKeysTest {
    @Test
    void givenATeam_whenNamingItsListKeys_thenTheyShareThePartitionsHashTag() {
        assertThat(ChannelListKeys.list(7, "acme")).isEqualTo("rc:{p7}:l:acme");
        assertThat(ChannelListKeys.channelIds(7, "acme")).isEqualTo("rc:{p7}:lz:acme");
        assertThat(ChannelListKeys.channels(7, "acme")).isEqualTo("rc:{p7}:lc:acme");
    }

    @Test
    void givenAChannel_whenItsHeadIsRendered_thenItIsTheShardPathsObjectUpToArchivedWithEscapes() {
        assertThat(ChannelListKeys.channelHead("general", "G \"x\" \u00e9", true, null, false))
                .isEqualTo("{\"channelId\":\"general\",\"name\":\"G \\\"x\\\" \u00e9\",\"private\":true,\"topic\":null,\"archived\":false");
        // the fields the scripts splice between occur once, outside every string value
        final String head = ChannelListKeys.channelHead("c", "n", false, ",\"archived\":true", true);
        assertThat(head.indexOf(ChannelListKeys.ARCHIVED)).isEqualTo(head.lastIndexOf(ChannelListKeys.ARCHIVED));
        assertThat(head).endsWith(ChannelListKeys.ARCHIVED + "true");
    }

    @Test
    void givenAnInstant_whenConvertedToMicros_thenPostgresPrecisionIsKept() {
        assertThat(ChannelListKeys.micros(Instant.parse("2026-11-21T10:00:00.123456789Z")))
                .isEqualTo(Instant.parse("2026-11-21T10:00:00Z").getEpochSecond() * 1_000_000L + 123_456);
    }

    @Test
    void givenTheScripts_whenAssembled_thenTheBatchScriptCarriesTheListOps() {
        assertThat(ReadCacheKeys.APPLY).contains("local function listOp(").contains("listOp(e, N, op)");
        assertThat(ChannelListKeys.LIST).contains("'{\"channels\":['");
        assertThat(ReadCacheKeys.FORMAT).isEqualTo("3");
    }
}
