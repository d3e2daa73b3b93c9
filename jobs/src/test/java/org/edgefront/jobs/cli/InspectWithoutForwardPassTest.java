package org.edgefront.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.edgefront.jobs.CliRun;
import org.edgefront.space.io.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inspect} of a GGUF whose architecture has no forward pass (a mixture of experts here) describes it from its
 * metadata as the simulator reads it, and says why {@code eval} cannot run it; {@code eval} refuses it by name.
 */
class InspectWithoutForwardPassTest {
    @TempDir
    Path dir;

    @Test
    void aMixtureOfExpertsGgufIsInspectedFromItsMetadataAndRefusedByEval() throws Exception {
        Path gguf = dir.resolve("tiny-qwen3moe.gguf");
        GgufWriter w = new GgufWriter().string("general.architecture", "qwen3moe").string("general.name", "tiny-moe")
                .u32("qwen3moe.embedding_length", 64).u32("qwen3moe.block_count", 2).u32("qwen3moe.attention.head_count", 4)
                .u32("qwen3moe.attention.head_count_kv", 2).u32("qwen3moe.context_length", 256).u32("qwen3moe.expert_count", 4)
                .u32("qwen3moe.expert_used_count", 2).u32("qwen3moe.expert_feed_forward_length", 32).u32("qwen3moe.feed_forward_length", 128)
                .tensor("token_embd.weight", new long[] {64, 100}, 0, 64L * 100 * 4);
        try (OutputStream out = Files.newOutputStream(gguf)) {
            w.writeTo(out, (name, o) -> o.write(new byte[64 * 100 * 4]));
        }
        CliRun r = CliRun.of("inspect", gguf.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertFalse(n.get("forward_pass").asBoolean());
        assertTrue(n.get("forward_pass_reason").asText().contains("qwen3moe"), r.out());
        assertEquals(4, n.get("experts").get("count").asInt());
        assertEquals(2, n.get("layers").asInt());
        // the stored FFN tensors stack the four experts of 32
        boolean stacked = false;
        for (JsonNode t : n.get("tensors")) stacked |= t.get("name").asText().equals("blk.0.ffn_up.weight") && t.get("shape").get(0).asInt() == 4 * 32;
        assertTrue(stacked, r.out());
        CliRun text = CliRun.of("inspect", gguf.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("no forward pass") && text.out().contains("4 experts"), text.out());
        CliRun eval = CliRun.of("eval", "--model", gguf.toString(), "--text", org.edgefront.jobs.TestPaths.shared().resolve("models/tinystories_val.txt").toString());
        assertEquals(2, eval.code(), eval.out());
        assertTrue(eval.err().contains("general.architecture") && eval.err().contains("qwen3moe"), eval.err());
    }
}
