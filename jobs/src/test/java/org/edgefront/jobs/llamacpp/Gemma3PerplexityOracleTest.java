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
 * The real llama.cpp as the oracle of EdgeFront's Gemma 3 support: a tiny random Gemma 3 (six layers, five local with a
 * 64-token sliding window and RoPE base 10000, then one global at base 1e6; heads x head size 4 x 32 on a width of 64, as
 * Gemma-3-1B has 4 x 256 on 1152; tied embeddings; q/k and sandwich norms) is exported as an F32 {@code gemma3} GGUF with stories260K's tok512 tokenizer, and its perplexity computed twice on the same tokens:
 * by {@code llama-perplexity} (its own tokenization of TinyStories, chunks of 128 tokens with BOS first, the second
 * half of each chunk scored) and by EdgeFront's forward pass on the GGUF read back, over the very token ids
 * llama-perplexity used (read from the {@code --kl-divergence-base} file it writes: {@code _logits_}, n_ctx, n_vocab,
 * n_chunk, then the tokens). The chunks of 128 tokens are twice the window, so the local layers' mask is tested. Agreement
 * needs every part right at once: the GGUF names and keys, the embedding scale, the q/k norms' order on disk and the norm
 * before RoPE, NeoX RoPE at the local and global bases, the window, the post-attention and post-FFN norms, the GELU gate,
 * and the tied head.
 */
@Tag("llamacpp")
class Gemma3PerplexityOracleTest {
    private static final int CTX = 128;
    private static final int CHUNKS = 4;
    /**
     * |ln PPL| difference allowed: both sides compute in float32 over the same tokens, so only summation order differs
     * (ggml's matrix kernels vs ND4J and Java loops), and ggml's CPU GELU, which reads an FP16 table where EdgeFront
     * computes the tanh formula exactly; llama.cpp prints the perplexity to four decimals.
     */
    private static final double NLL_TOLERANCE = 2e-4;

    @TempDir
    Path dir;

    @Test
    void llamaPerplexityAndEdgeFrontAgreeOnATinyGemma3GgufBeyondItsSlidingWindow() throws Exception {
        Path gguf = dir.resolve("gemma3-tiny-f32.gguf");
        try (ModelWeights w = SyntheticLlama.create(new SyntheticLlama.Shape(64, 128, 6, 4, 2, 512, 256, true), 17,
                ArchitectureFamily.GEMMA3, 32)) {
            // the window must be shorter than the evaluated chunks, and layer 5 global, for the test to cover both
            assertEquals(64, w.architecture().slidingWindow().tokens());
            assertTrue(w.architecture().slidingWindow().isLocal(0) && !w.architecture().slidingWindow().isLocal(5));
            PerplexityOracle.f32Gguf(dir, gguf.getFileName().toString(), w);
        }
        PerplexityOracle.assertArchitecture(gguf, "gemma3");
        PerplexityOracle.Result r = PerplexityOracle.compare(dir, gguf, CTX, CHUNKS, a -> {
                assertEquals(ArchitectureFamily.GEMMA3, a.family());
                assertEquals(128, a.qDim());
                assertEquals(64, a.slidingWindow().tokens());
            });
        double llamaNll = r.llamaNll(), edgefrontNll = r.edgefrontNll();
        int count = r.tokens();
        String tail = r.logTail();
        System.out.printf("gemma3 oracle: llama-perplexity PPL %.6f (mean NLL %.6f), EdgeFront PPL %.6f (mean NLL %.6f), %d tokens%n",
                Math.exp(llamaNll), llamaNll, Math.exp(edgefrontNll), edgefrontNll, count);
        assertEquals(llamaNll, edgefrontNll, NLL_TOLERANCE, "mean NLL over " + count + " scored tokens; llama.cpp log tail:\n" + tail);
        // and the CLI's eval runs the same file with the tokenizer it carries (EdgeFront's own paragraphs and tokenization)
        com.fasterxml.jackson.databind.JsonNode eval = LlamaCppTools.eval128("--model", gguf.toString());
        assertTrue(Double.isFinite(eval.get("nll").asDouble()) && eval.get("nll").asDouble() > 0, eval.toString());
    }
}
