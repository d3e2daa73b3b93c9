package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real llama.cpp as the oracle of EdgeFront's Qwen3 support: a tiny random Qwen3 (heads x head size 4 x 32 on a
 * width of 64, as Qwen3-0.6B has 16 x 128 on 1024; tied embeddings; q/k norms with spread) is exported as an F32
 * {@code qwen3} GGUF with stories260K's tok512 tokenizer, and its perplexity computed twice on the same tokens:
 * by {@code llama-perplexity} (its own tokenization of TinyStories, chunks of 128 tokens with BOS first, the second
 * half of each chunk scored) and by EdgeFront's forward pass on the GGUF read back, over the very token ids
 * llama-perplexity used (read from the {@code --kl-divergence-base} file it writes: {@code _logits_}, n_ctx, n_vocab,
 * n_chunk, then the tokens). Agreement needs every part right at once: the GGUF names and keys, the q/k norms' order
 * on disk and the norm itself before RoPE, NeoX RoPE over the explicit head size, and the tied head.
 */
@Tag("llamacpp")
class Qwen3PerplexityOracleTest {
    private static final int CTX = 128;
    private static final int CHUNKS = 4;
    /**
     * |ln PPL| difference allowed: both sides compute in float32 over the same tokens, so only summation order differs
     * (ggml's matrix kernels vs ND4J and Java loops); llama.cpp prints the perplexity to four decimals.
     */
    private static final double NLL_TOLERANCE = 2e-4;

    @TempDir
    Path dir;

    @Test
    void llamaPerplexityAndEdgeFrontAgreeOnATinyQwen3Gguf() throws Exception {
        Path gguf = dir.resolve("qwen3-tiny-f32.gguf");
        try (ModelWeights w = SyntheticLlama.create(new SyntheticLlama.Shape(64, 128, 2, 4, 2, 512, 256, true), 17,
                ArchitectureFamily.QWEN3, 32)) {
            PerplexityOracle.f32Gguf(dir, gguf.getFileName().toString(), w);
        }
        PerplexityOracle.assertArchitecture(gguf, "qwen3");
        PerplexityOracle.Result r = PerplexityOracle.compare(dir, gguf, CTX, CHUNKS, a -> {
                assertEquals(ArchitectureFamily.QWEN3, a.family());
                assertEquals(128, a.qDim());
            });
        double llamaNll = r.llamaNll(), edgefrontNll = r.edgefrontNll();
        int count = r.tokens();
        String tail = r.logTail();
        System.out.printf("qwen3 oracle: llama-perplexity PPL %.6f (mean NLL %.6f), EdgeFront PPL %.6f (mean NLL %.6f), %d tokens%n",
                Math.exp(llamaNll), llamaNll, Math.exp(edgefrontNll), edgefrontNll, count);
        assertEquals(llamaNll, edgefrontNll, NLL_TOLERANCE, "mean NLL over " + count + " scored tokens; llama.cpp log tail:\n" + tail);
        // and the CLI's eval runs the same file with the tokenizer it carries (EdgeFront's own paragraphs and tokenization)
        com.fasterxml.jackson.databind.JsonNode eval = LlamaCppTools.eval128("--model", gguf.toString());
        assertTrue(Double.isFinite(eval.get("nll").asDouble()) && eval.get("nll").asDouble() > 0, eval.toString());
    }
}
