package chat.common;

import chat.common.ids.Ids;
import chat.common.ids.InvalidIdException;
import chat.common.shard.ShardMap;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShardMapTest {

    @Test
    void shouldMapPartitionsModuloShardsByDefault() {
        final ShardMap map = ShardMap.modulo(12, 4);
        assertThat(map.shardOf(0)).isZero();
        assertThat(map.shardOf(7)).isEqualTo(3);
        assertThat(map.partitionsOf(1)).containsExactly(1, 5, 9);
        assertThat(map.partitions()).isEqualTo(12);
    }

    @Test
    void shouldRoundTripThroughJson() {
        final ShardMap map = new ShardMap(3, 2, new int[]{1, 1, 0, 0});
        assertThat(ShardMap.parse(map.toJson())).isEqualTo(map);
        assertThat(map.toJson()).isEqualTo("{\"version\":3,\"partitions\":4,\"shards\":2,\"assignment\":[1,1,0,0]}");
    }

    @Test
    void shouldRejectMapsThatLoseAShardOrPointOutside() {
        assertThatThrownBy(() -> new ShardMap(1, 3, new int[]{0, 1, 0})).hasMessageContaining("shard 2 has no partition");
        assertThatThrownBy(() -> new ShardMap(1, 2, new int[]{0, 2})).hasMessageContaining("outside");
        assertThatThrownBy(() -> ShardMap.parse("{\"version\":1,\"partitions\":3,\"shards\":1,\"assignment\":[0,0]}"))
                .hasMessageContaining("assigns 2");
        assertThatThrownBy(() -> ShardMap.modulo(12, 4).shardOf(12)).hasMessageContaining("outside the shard map");
    }

    @Test
    void shouldValidateIds() {
        assertThat(Ids.isValid("team_1-A")).isTrue();
        assertThat(Ids.isValid("a".repeat(64))).isTrue();
        assertThat(Ids.isValid("a".repeat(65))).isFalse();
        assertThat(Ids.isValid("")).isFalse();
        assertThat(Ids.isValid("a b")).isFalse();
        assertThat(Ids.isValid("é")).isFalse();
        assertThat(Ids.isValid(null)).isFalse();
        assertThatThrownBy(() -> Ids.require("teamId", "bad/id"))
                .isInstanceOf(InvalidIdException.class).hasMessageContaining("teamId");
    }
}
