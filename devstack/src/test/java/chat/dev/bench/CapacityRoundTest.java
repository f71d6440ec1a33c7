package chat.dev.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CapacityRoundTest {

    @Test
    void givenThreeServers_whenRoundsAdvance_thenEachServerTakesEachPlace() {
        final List<String> servers = List.of("mem", "log", "stack");
        assertThat(CapacityRound.order(servers, 1)).containsExactly("mem", "log", "stack");
        assertThat(CapacityRound.order(servers, 2)).containsExactly("log", "stack", "mem");
        assertThat(CapacityRound.order(servers, 3)).containsExactly("stack", "mem", "log");
        assertThat(CapacityRound.order(servers, 4)).containsExactly("mem", "log", "stack");
    }

    @Test
    void givenALoadRunsOutput_whenParsed_thenTheLastJsonLinesFindMaxCounts() {
        final String output = "[step-1] target 100 msg/s PASS\n"
                + "{\"tool\":\"chat-bench\",\"websocket\":{\"findMax\":{\"maxDeliveriesPerSecondPassing\":1000}}}\n"
                + "{\"tool\":\"chat-bench\",\"websocket\":{\"findMax\":{\"maxRatePassing\":634,\"maxDeliveriesPerSecondPassing\":63400}}}\n";
        assertThat(CapacityRound.maxPassing(output)).isEqualTo(63_400);
        assertThat(CapacityRound.maxPassing("bench: failed: connection refused\n")).isEqualTo(-1);
        assertThat(CapacityRound.maxPassing("{\"tool\":\"chat-bench\",\"mode\":\"fixed\"}\n")).isEqualTo(-1);
    }

    @Test
    void givenResults_whenTabled_thenRatiosAreToTheInMemoryFloor() {
        final Map<String, Map<String, Long>> results = new LinkedHashMap<>();
        results.put("round 1, 10 x 100", new LinkedHashMap<>(Map.of("mem", 100_000L, "log", 50_000L, "stack", 80_000L)));
        results.put("round 1, 1 x 1000", new LinkedHashMap<>(Map.of("mem", 200_000L, "log", -1L)));
        final String table = CapacityRound.table(results, List.of("mem", "log", "stack"));
        assertThat(table).startsWith("| round, layout | mem | log | stack | log / mem | stack / mem |\n|---|---|---|---|---|---|\n");
        assertThat(table).contains("| round 1, 10 x 100 | 100,000 | 50,000 | 80,000 | 0.50 | 0.80 |");
        assertThat(table).contains("| round 1, 1 x 1000 | 200,000 | -1 | -1 | - | - |");
    }

    @Test
    void givenBadOptions_whenParsed_thenEachIsRefusedWithTheReason() throws Exception {
        assertThatThrownBy(() -> CapacityRound.Options.parse(new String[] {"--servers", "mem,redis"}))
                .hasMessageContaining("--servers takes distinct names");
        assertThatThrownBy(() -> CapacityRound.Options.parse(new String[] {"--servers", "mem,mem"}))
                .hasMessageContaining("--servers takes distinct names");
        assertThatThrownBy(() -> CapacityRound.Options.parse(new String[] {"--layouts", "10,0"}))
                .hasMessageContaining("--layouts takes team counts");
        assertThatThrownBy(() -> CapacityRound.Options.parse(new String[] {"--rounds", "0"}))
                .hasMessageContaining("--rounds must be 1..100");
        assertThatThrownBy(() -> CapacityRound.Options.parse(new String[] {"--fast"}))
                .hasMessageContaining("unknown option --fast");
        final CapacityRound.Options o = CapacityRound.Options.parse(new String[] {"--servers", "stack,mem", "--rounds", "3"});
        assertThat(o.servers()).containsExactly("stack", "mem");
        assertThat(o.rounds()).isEqualTo(3);
        assertThat(o.layouts()).containsExactly(10, 1);
    }
}
