package org.edgefront.jobs.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.spec.ChoicesFile;
import org.edgefront.jobs.spec.SearchSpecLoader;
import org.edgefront.nativert.device.DeviceProfiles;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.ModelLoader;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded structure-aware mutation fuzzing of the YAML inputs the jobs read (search specs, choices files,
 * device profiles), beyond the model-file fuzzing in {@code space}: lines are deleted, duplicated, swapped or
 * truncated, and values replaced with hostile ones (negative, zero, huge, NaN, wrong types, long strings,
 * control bytes). Property: every input either loads or fails with an {@link InvalidInputException} naming
 * the file; nothing else escapes. A failure prints the mutated text as the reproducer. About a minute: tagged slow.
 */
@Tag("slow")
class ConfigMutationFuzzTest {
    private static final long SEED = Long.getLong("edgefront.fuzzSeed", 7_2026_1121L);
    private static final String[] HOSTILE = {"-1", "0", "1e308", "-1e308", ".nan", ".inf", "-.inf", "2147483648", "9223372036854775808",
        "''", "~", "[]", "{}", "[1, [2, [3]]]", "true", "\"\\u0000\"", "x".repeat(5000), "!!binary AAAA", "&a 1", "*a", "0x7fffffff",
        "1.5", "-0.0", "Q4_0", "int0g32", "int9g32", "int4g0", "Q4_0+2:4", "blk.*.ffn_down.weight", "synthetic:tiny?seed=-9", "\"../../x\""};

    @TempDir
    Path dir;

    static String mutate(String text, SplittableRandom rnd) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        int n = 1 + rnd.nextInt(3);
        for (int k = 0; k < n && !lines.isEmpty(); k++) {
            int i = rnd.nextInt(lines.size());
            String l = lines.get(i);
            switch (rnd.nextInt(7)) {
                case 0 -> lines.remove(i);
                case 1 -> lines.add(i, l);
                case 2 -> {
                    int j = rnd.nextInt(lines.size());
                    lines.set(i, lines.get(j));
                    lines.set(j, l);
                }
                case 3 -> lines.set(i, l.substring(0, rnd.nextInt(l.length() + 1)));
                case 4 -> {
                    char[] c = l.toCharArray();
                    if (c.length > 0) c[rnd.nextInt(c.length)] = (char) rnd.nextInt(1, 128);
                    lines.set(i, new String(c));
                }
                default -> {
                    // replace a scalar value (after the last ": ") with a hostile one
                    int colon = l.lastIndexOf(": ");
                    String v = HOSTILE[rnd.nextInt(HOSTILE.length)];
                    lines.set(i, colon < 0 ? l + " " + v : l.substring(0, colon + 2) + v);
                }
            }
        }
        return String.join("\n", lines);
    }

    private static int run(String what, String valid, int iterations, SplittableRandom rnd, String file, Consumer<String> load) {
        load.accept(valid); // the starting point is valid
        int rejected = 0;
        for (int it = 0; it < iterations; it++) {
            String text = mutate(valid, rnd);
            try {
                load.accept(text);
            } catch (InvalidInputException e) {
                rejected++;
                if (!e.getMessage().startsWith(file) && !e.file().endsWith(".yaml")) fail(what + " error does not name the file: " + e.getMessage());
                assertFalse(e.field() == null || e.field().isEmpty(), e.getMessage());
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError(what + " iteration " + it + " escaped with " + e + "\n--- reproducer ---\n" + text, e);
            }
        }
        System.out.printf("%s: %d mutated inputs, %d rejected with InvalidInputException, %d loaded%n", what, iterations, rejected, iterations - rejected);
        return rejected;
    }

    @Test
    void mutatedSearchSpecsLoadOrFailWithInvalidInput() {
        String device = TestPaths.device("samsung-galaxy-s23").toString();
        String valid = "schemaVersion: 1\nname: fuzz\nmodel:\n  source: synthetic:tiny\ndevice: " + device + "\nworkload:\n  promptTokens: 64\n"
                + "  generateTokens: 64\n  contextTokens: 256\n  kvCacheBits: 8\n  threads: 4\n  backend: cpu\nspace:\n  options: [Q8_0, Q4_0, int3g32]\n"
                + "  grouping: tensor\n  tensorOptions:\n    token_embd.weight: [Q8_0, Q4_0]\nquality:\n  maxTokens: 32\n  sequences: 2\n"
                + "objectives: [kl, memory_bytes]\nbudgets:\n  memory_bytes: {shareOfDram: 0.5}\n  decode_tok_s: {atLeast: 0.001}\n"
                + "strategy:\n  name: nsga2\n  seed: 3\n  populationSize: 8\n  generations: 2\nexecution:\n  master: sequential\n  partitions: 0\n  maxFailureRate: 0.2\n";
        String file = dir.resolve("fuzz.yaml").toString();
        int rejected = run("search spec", valid, 300, new SplittableRandom(SEED), file,
                t -> SearchSpecLoader.resolve(file, SearchSpecLoader.parse(file, t), SearchSpecLoader.Overrides.NONE));
        assertTrue(rejected > 30, "mutations reach the validation: " + rejected);
    }

    @Test
    void mutatedChoicesFilesLoadOrFailWithInvalidInput() throws IOException {
        ModelArchitecture arch;
        try (ModelWeights w = ModelLoader.open(TestPaths.shared().resolve("models/stories260K.bin").toString())) {
            arch = w.architecture();
        }
        String valid = "schemaVersion: 1\ndefault: Q4_0\ntensors:\n  token_embd.weight: Q8_0\n  blk.0.attn_q.weight: int3g32\n"
                + "  blk.1.ffn_down.weight: Q4_0+2:4\n  blk.4.attn_output.weight: F16\n";
        Path file = dir.resolve("choices.yaml");
        int rejected = run("choices file", valid, 1500, new SplittableRandom(SEED + 1), file.toString(), t -> {
            try {
                Files.writeString(file, t);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            assertEquals(arch.linearTensors().size(), ChoicesFile.load(file.toString(), arch).size());
        });
        assertTrue(rejected > 100, "mutations reach the validation: " + rejected);
    }

    @Test
    void mutatedDeviceProfilesLoadOrFailWithInvalidInput() throws IOException {
        String valid = Files.readString(TestPaths.device("samsung-galaxy-s23")).replaceAll("(?m)\\s*#.*$", "");
        String file = dir.resolve("device.yaml").toString();
        int rejected = run("device profile", valid, 1500, new SplittableRandom(SEED + 2), file, t -> DeviceProfiles.parse(file, t));
        assertTrue(rejected > 100, "mutations reach the validation: " + rejected);
    }
}
