package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.edgefront.jobs.CliRun;
import org.edgefront.jobs.TestPaths;
import org.edgefront.space.io.ModelLoader;
import org.edgefront.space.model.ModelWeights;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model split by the real {@code llama-gguf-split} (as large GGUFs are published: {@code PREFIX-00001-of-0000n.gguf})
 * is read through its first shard as the unsplit file is: the same tensors, the same {@code eval} NLL, the same
 * {@code inspect} and {@code simulate} figures; also when the first shard holds no tensor ({@code --no-tensor-first-split}).
 */
@Tag("llamacpp")
class GgufSplitOracleTest {
    @TempDir
    Path dir;

    private static JsonNode json(String... args) throws Exception {
        CliRun r = CliRun.of(args);
        assertEquals(0, r.code(), r.err());
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void aSplitQuantizedModelReadsEvaluatesAndSimulatesLikeTheWholeFile() throws Exception {
        Path bin = LlamaCppTools.bin();
        Path f32 = LlamaCppTools.f32GgufFromLlama2c(TestPaths.shared().resolve("models/stories260K.bin"), dir.resolve("f32.gguf"));
        Path whole = dir.resolve("q8.gguf");
        LlamaCppTools.runOk(dir.resolve("quantize.log"), 300, List.of(bin.resolve("llama-quantize").toString(), f32.toString(), whole.toString(), "Q8_0"));
        for (boolean tensorsInFirst : new boolean[] {true, false}) {
            Path out = Files.createDirectories(dir.resolve(tensorsInFirst ? "split" : "split-empty-first"));
            List<String> cmd = new java.util.ArrayList<>(List.of(bin.resolve("llama-gguf-split").toString(), "--split", "--split-max-tensors", "12"));
            if (!tensorsInFirst) cmd.add("--no-tensor-first-split");
            cmd.addAll(List.of(whole.toString(), out.resolve("stories").toString()));
            LlamaCppTools.runOk(dir.resolve("split.log"), 300, cmd);
            List<Path> shards;
            try (Stream<Path> s = Files.list(out)) {
                shards = s.filter(p -> p.getFileName().toString().matches("stories-\\d{5}-of-\\d{5}\\.gguf")).sorted().toList();
            }
            assertTrue(shards.size() >= 3, "split into " + shards);
            Path first = shards.get(0);
            assertTrue(first.getFileName().toString().startsWith("stories-00001-of-"), first.toString());

            try (ModelWeights a = ModelLoader.open(whole.toString()); ModelWeights b = ModelLoader.open(first.toString())) {
                assertEquals(a.architecture(), b.architecture());
                assertEquals(a.tensorNames(), b.tensorNames());
                for (String t : a.tensorNames()) assertArrayEquals(a.read(t), b.read(t), t);
            }
            assertEquals(LlamaCppTools.eval128("--model", whole.toString()).get("nll").asDouble(),
                    LlamaCppTools.eval128("--model", first.toString()).get("nll").asDouble(), 0.0, "eval with the GGUF's own tokenizer");
            com.fasterxml.jackson.databind.node.ObjectNode wi = (com.fasterxml.jackson.databind.node.ObjectNode) json("inspect", "--json", whole.toString());
            com.fasterxml.jackson.databind.node.ObjectNode si = (com.fasterxml.jackson.databind.node.ObjectNode) json("inspect", "--json", first.toString());
            wi.remove("source");
            si.remove("source");
            assertEquals(wi, si, "inspect: architecture, parameter counts, tensors and stored types");
            String[] sim = {"simulate", "--json", "--device", "Raspberry Pi 5", "--format", "Q8_0", "--model"};
            JsonNode ws = json(append(sim, whole.toString()));
            JsonNode ss = json(append(sim, first.toString()));
            assertEquals(ws.get("decode_tok_s").asDouble(), ss.get("decode_tok_s").asDouble(), 0.0);
            assertEquals(ws.get("memory_bytes").asLong(), ss.get("memory_bytes").asLong());
        }
    }

    private static String[] append(String[] a, String last) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = last;
        return out;
    }
}
