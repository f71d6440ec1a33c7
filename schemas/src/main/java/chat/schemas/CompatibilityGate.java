package chat.schemas;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The build's schema gate: the current schema must be FULL_TRANSITIVE compatible with every
 * version kept in {@code schemas/history} (each old version can read data written with the
 * current one and vice versa), and every change must be recorded as a new history version
 * (the current schema equals the newest one). Run by the build at {@code process-classes}.
 *
 * <pre>{@code
 * List<String> problems = CompatibilityGate.check(current, List.of(v1, v2));
 * }</pre>
 */
public final class CompatibilityGate {
    private static final Pattern VERSION_FILE = Pattern.compile("chat-event\\.v(\\d+)\\.avsc");

    private CompatibilityGate() {
    }

    /** Entry point: {@code CompatibilityGate <current.avsc> <history dir>}; exits 1 listing every problem. */
    public static void main(final String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: CompatibilityGate <current.avsc> <history-dir>");
            System.exit(2);
        }
        final Schema current = parse(Path.of(args[0]));
        final List<Schema> history = loadHistory(Path.of(args[1]));
        final List<String> problems = check(current, history);
        if (!problems.isEmpty()) {
            final StringBuilder sb = new StringBuilder("schema compatibility gate FAILED:\n");
            problems.forEach(p -> sb.append("  - ").append(p).append('\n'));
            // exec:java runs in the Maven JVM: throw so the build fails with the message.
            throw new IllegalStateException(sb.toString());
        }
        System.out.println("schema compatibility gate: current schema is FULL_TRANSITIVE compatible with "
                + history.size() + " kept version(s)");
    }

    /** Loads {@code chat-event.v1.avsc .. vN.avsc}; versions must be contiguous from 1. */
    public static List<Schema> loadHistory(final Path dir) throws IOException {
        final List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> VERSION_FILE.matcher(p.getFileName().toString()).matches()).toList();
        }
        final List<Schema> out = new ArrayList<>();
        for (int v = 1; v <= files.size(); v++) {
            final Path file = dir.resolve("chat-event.v" + v + ".avsc");
            if (!Files.exists(file)) {
                throw new IllegalStateException("schema history is not contiguous: missing " + file
                        + " (found " + files.size() + " version files)");
            }
            out.add(parse(file));
        }
        return out;
    }

    /** Returns every problem found; empty means the gate passes. */
    public static List<String> check(final Schema current, final List<Schema> history) {
        final List<String> problems = new ArrayList<>();
        if (history.isEmpty()) {
            problems.add("no history versions: copy the current schema to history/chat-event.v1.avsc");
            return problems;
        }
        for (int i = 0; i < history.size(); i++) {
            final Schema old = history.get(i);
            final String name = "v" + (i + 1);
            final SchemaPairCompatibility newReadsOld = SchemaCompatibility.checkReaderWriterCompatibility(current, old);
            if (newReadsOld.getType() != SchemaCompatibilityType.COMPATIBLE) {
                problems.add("current schema cannot read data written with " + name + " (not BACKWARD): "
                        + describe(newReadsOld));
            }
            final SchemaPairCompatibility oldReadsNew = SchemaCompatibility.checkReaderWriterCompatibility(old, current);
            if (oldReadsNew.getType() != SchemaCompatibilityType.COMPATIBLE) {
                problems.add(name + " cannot read data written with the current schema (not FORWARD): "
                        + describe(oldReadsNew));
            }
        }
        final Schema newest = history.get(history.size() - 1);
        if (!newest.equals(current)) {
            problems.add("the current schema differs from the newest kept version v" + history.size()
                    + ": record the change as history/chat-event.v" + (history.size() + 1) + ".avsc");
        }
        return problems;
    }

    private static String describe(final SchemaPairCompatibility result) {
        return result.getResult().getIncompatibilities().stream()
                .map(inc -> inc.getType() + " at " + inc.getLocation() + " (" + inc.getMessage() + ")")
                .reduce((a, b) -> a + "; " + b)
                .orElse(result.getDescription());
    }

    private static Schema parse(final Path file) throws IOException {
        return new Schema.Parser().parse(Files.readString(file));
    }
}
