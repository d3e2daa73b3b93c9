package org.edgefront.jobs.reliability;

import org.edgefront.jobs.CliRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.edgefront.jobs.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file of the malformed corpus ({@code src/test/resources/malformed/<category>/}) must be rejected by the
 * command that reads it with exit code 2, exactly one {@code error:} line naming the file and the broken field
 * (listed per file in {@code malformed/expectations.tsv}), no stack trace without {@code --debug}, nothing on
 * stdout, and no output directory. Spec files may use {@code @DEVICE@} for the path of a valid device profile.
 */
class MalformedInputCorpusTest {
    private static final List<String> CATEGORIES = List.of("spec", "device", "measurements", "choices");

    @TempDir
    Path dir;

    static Path corpus() {
        try {
            return Path.of(MalformedInputCorpusTest.class.getResource("/malformed/expectations.tsv").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** category/file -> text the error message must contain (the field, key or column). */
    static Map<String, String> expectations() {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(corpus().resolve("expectations.tsv"), StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split("\t");
                if (f.length != 2) throw new IllegalStateException("bad expectations line: " + line);
                m.put(f[0], f[1]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (String c : CATEGORIES) {
            try (Stream<Path> files = Files.list(corpus().resolve(c))) {
                files.sorted().forEach(f -> out.add(Arguments.of(c, f.getFileName().toString())));
            }
        }
        return out.stream();
    }

    @Test
    void everyCorpusFileHasAnExpectationAndEveryExpectationAFile() throws IOException {
        Map<String, String> exp = expectations();
        List<String> files = new ArrayList<>();
        cases().forEach(a -> files.add(a.get()[0] + "/" + a.get()[1]));
        assertEquals(exp.keySet().stream().sorted().toList(), files.stream().sorted().toList());
        assertTrue(files.size() >= 90, "corpus has " + files.size() + " files");
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("cases")
    void malformedFileExitsWithTwoAndOneClearMessageAndNoOutput(String category, String name) throws IOException {
        String expected = expectations().get(category + "/" + name);
        assertNotNull(expected, "no expectation for " + category + "/" + name);
        Path file = materialize(category, name);
        Path out = dir.resolve("out");
        CliRun r = switch (category) {
            case "spec" -> CliRun.of("search", file.toString(), "--out", out.toString(), "--master", "sequential");
            case "device" -> CliRun.of("simulate", "--model", "synthetic:tiny", "--device", file.toString());
            case "measurements" -> CliRun.of("validate-simulator", "--measurements", file.toString());
            case "choices" -> CliRun.of("eval", "--model", model("stories260K.bin"), "--tokenizer", model("tok512.bin"),
                    "--text", model("tinystories_val.txt"), "--paragraphs", "1", "--max-tokens", "16", "--config", file.toString());
            default -> throw new IllegalArgumentException(category);
        };
        assertRejected(r, name, expected);
        assertFalse(Files.exists(out), "no partial output");
    }

    /** A device profile is also checked when a search reads it: exit 2 and the --out directory never created. */
    @ParameterizedTest(name = "search with device/{0}")
    @MethodSource("deviceFiles")
    void searchWithMalformedDeviceExitsWithTwoBeforeCreatingTheOutputDirectory(String name) throws IOException {
        Path device = materialize("device", name);
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, "schemaVersion: 1\nmodel: {source: 'synthetic:tiny'}\ndevice: '" + device + "'\n");
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("search", spec.toString(), "--out", out.toString(), "--master", "sequential");
        assertRejected(r, name, expectations().get("device/" + name));
        assertFalse(Files.exists(out), "no partial output");
    }

    static Stream<String> deviceFiles() throws IOException {
        return cases().filter(a -> a.get()[0].equals("device")).map(a -> (String) a.get()[1]);
    }

    @Test
    void debugFlagAddsTheStackTraceToTheSameMessage() throws IOException {
        Path file = materialize("spec", "generations-zero.yaml");
        CliRun quiet = CliRun.of("search", file.toString(), "--out", dir.resolve("o").toString());
        CliRun debug = CliRun.of("search", "--debug", file.toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, quiet.code());
        assertEquals(2, debug.code());
        assertFalse(quiet.hasStackTrace(), quiet.err());
        assertTrue(debug.hasStackTrace(), debug.err());
        assertTrue(debug.err().startsWith(quiet.err().strip()), debug.err());
    }

    static void assertRejected(CliRun r, String fileName, String expectedField) {
        String ctx = "stderr:\n" + r.err() + "\nstdout:\n" + r.out();
        assertEquals(2, r.code(), ctx);
        assertFalse(r.hasStackTrace(), ctx);
        List<String> errors = r.err().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), ctx);
        assertTrue(errors.get(0).contains(fileName), "message names the file: " + ctx);
        assertTrue(errors.get(0).contains(expectedField), "message names '" + expectedField + "': " + ctx);
        assertEquals("", r.out().strip(), "nothing on stdout: " + ctx);
    }

    private Path materialize(String category, String name) throws IOException {
        Path src = corpus().resolve(category).resolve(name);
        Path dst = dir.resolve(name);
        byte[] bytes = Files.readAllBytes(src);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (text.contains("@DEVICE@")) {
            bytes = text.replace("@DEVICE@", TestPaths.device("samsung-galaxy-s23").toString()).getBytes(StandardCharsets.ISO_8859_1);
        }
        Files.write(dst, bytes);
        return dst;
    }

    private static String model(String name) { return TestPaths.shared().resolve("models").resolve(name).toString(); }
}
