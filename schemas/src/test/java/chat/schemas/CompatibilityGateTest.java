package chat.schemas;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CompatibilityGateTest {

    private static final String TEMPLATE = """
            {"type":"record","name":"E","namespace":"t","fields":[
              {"name":"id","type":"string"}EXTRA_FIELD,
              {"name":"payload","type":[
                {"type":"record","name":"A","fields":[{"name":"x","type":"int"}]},
                {"type":"record","name":"B","fields":[{"name":"y","type":"string"}]}EXTRA_BRANCH]}]}""";
    private static final Schema V1 = variant("", "");

    private static Schema variant(final String extraField, final String extraBranch) {
        return parse(TEMPLATE.replace("EXTRA_FIELD", extraField).replace("EXTRA_BRANCH", extraBranch));
    }

    private static Schema parse(final String json) {
        return new Schema.Parser().parse(json);
    }

    @Test
    void shouldPassForTheRepositorysCurrentSchema() throws Exception {
        final Path base = Path.of(System.getProperty("user.dir"));
        final Schema current = new Schema.Parser().parse(base.resolve("src/main/avro/chat-event.avsc").toFile());
        final List<Schema> history = CompatibilityGate.loadHistory(base.resolve("history"));
        assertThat(CompatibilityGate.check(current, history)).isEmpty();
        assertThat(history).hasSize(EventCodec.CURRENT_VERSION);
    }

    @Test
    void shouldAcceptAnOptionalFieldWithDefaultRecordedAsNewVersion() {
        final Schema v2 = variant(",{\"name\":\"z\",\"type\":[\"null\",\"string\"],\"default\":null}", "");
        assertThat(v2).isNotEqualTo(V1);
        assertThat(CompatibilityGate.check(v2, List.of(V1, v2))).isEmpty();
    }

    @Test
    void shouldRejectANewFieldWithoutDefault() {
        final Schema v2 = variant(",{\"name\":\"z\",\"type\":\"string\"}", "");
        assertThat(CompatibilityGate.check(v2, List.of(V1, v2)))
                .anyMatch(p -> p.contains("not BACKWARD") && p.contains("z"));
    }

    @Test
    void shouldRejectAddingAUnionBranchBecauseOldReadersCannotReadIt() {
        final Schema v2 = variant("", ",{\"type\":\"record\",\"name\":\"C\",\"fields\":[]}");
        assertThat(CompatibilityGate.check(v2, List.of(V1, v2))).anyMatch(p -> p.contains("not FORWARD"));
    }

    @Test
    void shouldRejectAChangeThatIsNotRecordedInHistory() {
        final Schema v2 = variant(",{\"name\":\"z\",\"type\":\"int\",\"default\":0}", "");
        assertThat(CompatibilityGate.check(v2, List.of(V1))).anyMatch(p -> p.contains("record the change"));
    }

    @Test
    void shouldRejectChangingAFieldType() {
        final Schema v2 = variant(",{\"name\":\"z\",\"type\":\"int\",\"default\":0}", "");
        final Schema v3 = parse(v2.toString().replace("{\"name\":\"z\",\"type\":\"int\",\"default\":0}",
                "{\"name\":\"z\",\"type\":\"string\",\"default\":\"\"}"));
        assertThat(v3).isNotEqualTo(v2);
        assertThat(CompatibilityGate.check(v3, List.of(V1, v2, v3))).anyMatch(p -> p.contains("v2"));
    }
}
