package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgefront.nativert.BlockState;
import org.edgefront.nativert.ModelCatalog;
import org.edgefront.nativert.device.ModelDescriptor;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real llama.cpp as the oracle of the simulator's sliding-window KV cache: a tiny Gemma 3 GGUF (six blocks, five local
 * within 64 tokens, then one global) is loaded by {@code llama-bench -v} at a depth of 3000 tokens, and the cache llama.cpp
 * builds is read from its log: how many blocks its SWA and non-SWA caches hold, and how many cells each. EdgeFront's
 * descriptor of the same file must name the same local blocks, and the positions its local blocks hold (the window and
 * one micro-batch, at most the context) and its global blocks hold (the context) must be llama.cpp's cells before their
 * padding to 256 (llama.cpp pads both; the simulator does not).
 */
@Tag("llamacpp")
class SlidingWindowKvCacheOracleTest {
    private static final Pattern CACHE = Pattern.compile("creating\\s+(non-SWA|SWA) KV cache, size = (\\d+) cells");
    private static final Pattern LAYERS = Pattern.compile("llama_kv_cache: size =\\s*[0-9.]+ MiB \\(\\s*(\\d+) cells,\\s*(\\d+) layers");

    @TempDir
    Path dir;

    private static long pad256(long n) { return (n + 255) / 256 * 256; }

    @Test
    void theLocalBlocksAndTheirCellsAreLlamaCppsBeforeItsPadding() throws Exception {
        Path gguf = dir.resolve("gemma3-tiny-f32.gguf");
        try (ModelWeights w = SyntheticLlama.create(new SyntheticLlama.Shape(64, 128, 6, 4, 2, 512, 256, true), 17,
                ArchitectureFamily.GEMMA3, 32)) {
            PerplexityOracle.f32Gguf(dir, gguf.getFileName().toString(), w);
        }
        int depth = 3000, ubatch = 512;
        String log = LlamaCppTools.runOk(dir.resolve("bench.log"), 300, List.of(LlamaCppTools.bin().resolve("llama-bench").toString(),
                "-m", gguf.toString(), "-p", "0", "-n", "1", "-d", String.valueOf(depth), "-ub", String.valueOf(ubatch), "-r", "1", "-t", "2", "-v"));
        long nonSwaCells = -1, swaCells = -1;
        Matcher c = CACHE.matcher(log);
        while (c.find()) {
            if (c.group(1).equals("SWA")) swaCells = Long.parseLong(c.group(2));
            else nonSwaCells = Long.parseLong(c.group(2));
        }
        List<long[]> caches = new ArrayList<>(); // (cells, layers) per cache, in the order llama.cpp creates them
        Matcher l = LAYERS.matcher(log);
        while (l.find()) caches.add(new long[] {Long.parseLong(l.group(1)), Long.parseLong(l.group(2))});
        assertTrue(nonSwaCells > 0 && swaCells > 0 && caches.size() >= 2, "llama-bench's log names both caches:\n" + log);

        ModelDescriptor d = ModelCatalog.load("../configs/models").resolve(gguf.toString());
        List<BlockState> blocks = d.blockStates();
        long local = blocks.stream().filter(b -> b.windowTokens() > 0).count();
        assertEquals(64, d.slidingWindow().tokens());
        int context = depth + 1; // llama-bench's context: the depth and the generated token
        long globalHeld = blocks.stream().filter(b -> b.windowTokens() == 0).findFirst().orElseThrow().heldPositions(context, ubatch);
        long localHeld = blocks.stream().filter(b -> b.windowTokens() > 0).findFirst().orElseThrow().heldPositions(context, ubatch);
        System.out.printf("sliding-window oracle: llama.cpp non-SWA %d cells, SWA %d cells, caches %s; EdgeFront %d global blocks holding %d"
                + " positions, %d local holding %d%n", nonSwaCells, swaCells, caches.stream().map(x -> x[0] + " cells/" + x[1] + " layers").toList(),
                blocks.size() - local, globalHeld, local, localHeld);
        assertEquals(pad256(globalHeld), nonSwaCells, "the global blocks hold the context");
        assertEquals(pad256(localHeld), swaCells, "the local blocks hold the window and one micro-batch");
        assertEquals(64 + ubatch, localHeld);
        for (long[] cache : caches) {
            long expectedLayers = cache[0] == swaCells ? local : blocks.size() - local;
            assertEquals(expectedLayers, cache[1], "blocks of the cache of " + cache[0] + " cells");
        }
    }
}
