package chat.common.shard;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Routing of partitions to shard pools and the live map switch; pools connect lazily, so no database is needed. */
class ShardDataSourcesTest {
    private static final List<String> FOUR = urls("old", 4);
    private static final List<String> EIGHT = urls("new", 8);

    private static List<String> urls(final String prefix, final int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(s -> "jdbc:postgresql://127.0.0.1:1/" + prefix + "_" + s).toList();
    }

    private static ShardDataSources open() {
        return ShardDataSources.open(ShardMap.modulo(12, 4), FOUR, "u", "", 1, "test");
    }

    @Test
    void givenMap_whenRouted_thenPartitionGoesToItsShardsPool() {
        try (ShardDataSources shards = open()) {
            final ShardRouter.Route r = shards.route(7);
            assertThat(r.shard()).isEqualTo(3);
            assertThat(r.dataSource()).isSameAs(shards.shard(3));
            assertThat(shards.url(3)).isEqualTo(FOUR.get(3));
        }
    }

    @Test
    void givenNewerMap_whenSwitched_thenMapAndPoolsChangeTogether() {
        try (ShardDataSources shards = open()) {
            final ShardMap next = new ShardMap(2, 8, ShardMap.modulo(12, 8).assignment());
            assertThat(shards.switchMap(next, EIGHT)).isTrue();
            assertThat(shards.map()).isEqualTo(next);
            assertThat(shards.count()).isEqualTo(8);
            final ShardRouter.Route r = shards.route(7);
            assertThat(r.shard()).isEqualTo(7);
            assertThat(r.dataSource()).isSameAs(shards.shard(7));
            assertThat(shards.url(7)).isEqualTo(EIGHT.get(7));
            assertThat(shards.url(r.shard())).isEqualTo(EIGHT.get(7));
        }
    }

    @Test
    void givenSameOrOlderVersion_whenSwitched_thenNothingChanges() {
        try (ShardDataSources shards = open()) {
            assertThat(shards.switchMap(ShardMap.modulo(12, 8), EIGHT)).isFalse();
            assertThat(shards.count()).isEqualTo(4);
            assertThat(shards.url(0)).isEqualTo(FOUR.get(0));
        }
    }

    @Test
    void givenMismatchedSwitch_whenSwitched_thenRefusedAndNothingChanges() {
        try (ShardDataSources shards = open()) {
            assertThatThrownBy(() -> shards.switchMap(new ShardMap(2, 8, ShardMap.modulo(16, 8).assignment()), EIGHT))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("covers 16 partitions");
            assertThatThrownBy(() -> shards.switchMap(new ShardMap(2, 8, ShardMap.modulo(12, 8).assignment()), FOUR))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8 shards but 4 JDBC URLs");
            assertThat(shards.map().version()).isEqualTo(1);
            assertThat(shards.count()).isEqualTo(4);
        }
    }

    @Test
    void givenNoMap_whenRouted_thenClearError() {
        try (ShardDataSources shards = ShardDataSources.open(FOUR, "u", "", 1, "test")) {
            assertThat(shards.hasMap()).isFalse();
            assertThatThrownBy(() -> shards.route(0)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("without a shard map");
        }
    }

    @Test
    void givenMapAndUrlsOfDifferentSize_whenOpened_thenRefused() {
        assertThatThrownBy(() -> ShardDataSources.open(ShardMap.modulo(12, 4), EIGHT, "u", "", 1, "test"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 shards but 8 JDBC URLs");
    }

    @Test
    void givenSwitchDocument_whenInvalid_thenRefused() {
        final ShardMap next = new ShardMap(2, 8, ShardMap.modulo(12, 8).assignment());
        assertThat(new ShardMapSwitch.Switch(next, EIGHT).version()).isEqualTo(2);
        assertThatThrownBy(() -> new ShardMapSwitch.Switch(next, FOUR)).hasMessageContaining("lists 4 JDBC URLs");
        final List<String> dup = new java.util.ArrayList<>(EIGHT);
        dup.set(7, dup.get(0));
        assertThatThrownBy(() -> new ShardMapSwitch.Switch(next, dup)).hasMessageContaining("share a database");
    }
}
