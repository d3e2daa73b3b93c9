package org.edgefront.space.io;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.edgefront.space.input.InvalidInputException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of the loaders: byte flips, overwrites with extreme integers, truncation and
 * extension of valid inputs. Each mutant must either load (every tensor readable) or fail with
 * {@link InvalidInputException}; any other exception is a bug. The default run does a few hundred
 * mutants per format; {@code -Dedgefront.fuzz.mutants=N} (tagged slow when large) runs more.
 */
class LoaderFuzzTest {
    private static final int MUTANTS = Integer.getInteger("edgefront.fuzz.mutants", 300);

    @TempDir
    Path dir;

    /** Mutates mostly the first {@code hot} bytes, where the headers are. */
    private static byte[] mutate(byte[] in, SplittableRandom r, int hot) {
        byte[] b = in.clone();
        switch (r.nextInt(6)) {
            case 0 -> { return Arrays.copyOf(b, r.nextInt(b.length)); }
            case 1 -> { return Arrays.copyOf(b, b.length + 1 + r.nextInt(64)); }
            case 2 -> {
                int at = r.nextInt(Math.max(1, Math.min(hot, b.length - 4)));
                int[] extremes = {0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 3, 1 << 20};
                int v = extremes[r.nextInt(extremes.length)];
                for (int i = 0; i < 4 && at + i < b.length; i++) b[at + i] = (byte) (v >>> (8 * i));
                return b;
            }
            default -> {
                int flips = 1 + r.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    int at = r.nextInt(10) < 8 ? r.nextInt(Math.min(hot, b.length)) : r.nextInt(b.length);
                    b[at] = (byte) r.nextInt(256);
                }
                return b;
            }
        }
    }

    private void fuzz(String kind, byte[] seed, int hot, String fileName, long rngSeed) throws Exception {
        SplittableRandom r = new SplittableRandom(rngSeed);
        Path p = dir.resolve(fileName);
        for (int i = 0; i < MUTANTS; i++) {
            byte[] m = mutate(seed, r, hot);
            Files.write(p, m);
            try {
                MalformedCorpusTest.load(kind, p);
            } catch (InvalidInputException expected) {
                // the contract: bad input is reported as such
            } catch (Throwable t) {
                Files.write(dir.resolve("crash-" + i), m);
                fail(kind + " mutant " + i + " (seed " + rngSeed + ") threw " + t, t);
            }
        }
    }

    @Test
    void llama2cMutantsLoadOrAreInvalidInput() throws Exception {
        byte[] seed = Files.readAllBytes(MalformedCorpusTest.resource("wellformed/llama2c-ok.bin"));
        fuzz("llama2c", seed, 28, "m.bin", 1);
    }

    @Test
    void safetensorsMutantsLoadOrAreInvalidInput() throws Exception {
        byte[] seed = Files.readAllBytes(MalformedCorpusTest.resource("wellformed/hf-ok/model.safetensors"));
        fuzz("safetensors", seed, 1200, "m.safetensors", 2);
    }

    @Test
    void ggufMutantsLoadOrAreInvalidInput() throws Exception {
        byte[] seed = Files.readAllBytes(GgufFileTest.fixture());
        fuzz("gguf", seed, 2400, "m.gguf", 3);
    }

    @Test
    void tokenizerMutantsLoadOrAreInvalidInput() throws Exception {
        byte[] seed = Files.readAllBytes(MalformedCorpusTest.resource("wellformed/tokenizer-v4-ok.bin"));
        fuzz("tokenizer-v4", seed, seed.length, "t.bin", 4);
    }

    @Test
    void tokenizerJsonMutantsLoadAndEncodeOrAreInvalidInput() throws Exception {
        int i = 0;
        for (String seedJson : new String[] {org.edgefront.space.tokenizer.HuggingFaceTokenizerTest.SENTENCEPIECE,
                org.edgefront.space.tokenizer.HuggingFaceTokenizerTest.BYTE_LEVEL}) {
            byte[] seed = seedJson.getBytes(StandardCharsets.UTF_8);
            SplittableRandom r = new SplittableRandom(6 + i++);
            Path p = dir.resolve("tokenizer.json");
            for (int k = 0; k < MUTANTS; k++) {
                byte[] m = mutate(seed, r, seed.length);
                Files.write(p, m);
                try {
                    var t = org.edgefront.space.tokenizer.HuggingFaceTokenizer.load(p.toString(), null, null, MalformedCorpusTest.CONF);
                    int[] ids = t.encode("hello world 123 é<|endoftext|>", false, false);
                    t.decode(ids);
                } catch (InvalidInputException expected) {
                    // fine
                } catch (Throwable t) {
                    fail("tokenizer.json mutant " + k + " threw " + t + " on " + new String(m, StandardCharsets.UTF_8), t);
                }
            }
        }
    }

    @Test
    void huggingFaceConfigMutantsLoadOrAreInvalidInput() throws Exception {
        Path src = MalformedCorpusTest.resource("wellformed/hf-ok");
        Path d = dir.resolve("hf");
        Files.createDirectories(d);
        Files.copy(src.resolve("model.safetensors"), d.resolve("model.safetensors"));
        byte[] config = Files.readAllBytes(src.resolve("config.json"));
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < MUTANTS; i++) {
            byte[] m = mutate(config, r, config.length);
            Files.write(d.resolve("config.json"), m);
            try {
                MalformedCorpusTest.load("hf", d);
            } catch (InvalidInputException expected) {
                // fine
            } catch (Throwable t) {
                fail("config mutant " + i + " threw " + t + " on " + new String(m, StandardCharsets.UTF_8), t);
            }
        }
    }
}
