package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.edgefront.evaluators.quality.ForwardPasses;
import org.edgefront.space.io.GgufFile;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.LogitSoftcaps;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real llama.cpp as the oracle of EdgeFront's Gemma 2 support: a tiny random Gemma 2 (six layers, the even ones local
 * with a 64-token window, all at RoPE base 10000; heads x head size 4 x 32 on a width of 64, as Gemma-2-2B has 8 x 256 on
 * 2304; tied embeddings; sandwich norms; the attention scores and the logits soft-capped) is exported as an F32
 * {@code gemma2} GGUF with stories260K's tok512 tokenizer, and its perplexity computed by {@code llama-perplexity} and by
 * EdgeFront's forward pass on the GGUF read back, over the same token ids ({@link PerplexityOracle}). The caps are set
 * low enough for this model's scores and logits that each moves the NLL by far more than the tolerance, and the test
 * asserts that it does, so agreement needs both caps applied where llama.cpp applies them, besides the window on every
 * other layer, the embedding scale, the norms and the GELU gate.
 */
@Tag("llamacpp")
class Gemma2PerplexityOracleTest {
    private static final int CTX = 128;
    private static final int CHUNKS = 4;
    /** |ln PPL| difference allowed, as for Gemma 3 (float32 on both sides; ggml's GELU and tanh from FP16 tables or libm). */
    private static final double NLL_TOLERANCE = 2e-4;

    @TempDir
    Path dir;

    @Test
    void llamaPerplexityAndEdgeFrontAgreeOnATinyGemma2GgufWithBothSoftCaps() throws Exception {
        Path gguf = dir.resolve("gemma2-tiny-f32.gguf");
        try (ModelWeights w = SyntheticLlama.create(new SyntheticLlama.Shape(64, 128, 6, 4, 2, 512, 256, true), 17,
                ArchitectureFamily.GEMMA2, 32)) {
            ModelArchitecture a = w.architecture();
            assertEquals(64, a.slidingWindow().tokens());
            assertTrue(a.slidingWindow().isLocal(0) && !a.slidingWindow().isLocal(1) && a.slidingWindow().isLocal(4) && !a.slidingWindow().isLocal(5));
            PerplexityOracle.f32Gguf(dir, gguf.getFileName().toString(), w);
        }
        PerplexityOracle.assertArchitecture(gguf, "gemma2");
        PerplexityOracle.Result r = PerplexityOracle.compare(dir, gguf, CTX, CHUNKS, a -> {
                assertEquals(ArchitectureFamily.GEMMA2, a.family());
                assertEquals(64, a.slidingWindow().tokens());
                assertEquals(2, a.slidingWindow().pattern());
                assertEquals(new LogitSoftcaps(SyntheticLlama.GEMMA2_SYNTHETIC_ATTENTION_CAP, SyntheticLlama.GEMMA2_SYNTHETIC_FINAL_CAP), a.softcaps());
            });
        double noAttentionCap;
        double noFinalCap;
        try (ModelWeights back = GgufFile.open(gguf.toString())) {
            LogitSoftcaps caps = back.architecture().softcaps();
            noAttentionCap = PerplexityOracle.nll(ForwardPasses.load(PerplexityOracle.as(back, back.architecture().withSoftcaps(new LogitSoftcaps(0, caps.finalLogits())))), r.sequences());
            noFinalCap = PerplexityOracle.nll(ForwardPasses.load(PerplexityOracle.as(back, back.architecture().withSoftcaps(new LogitSoftcaps(caps.attention(), 0)))), r.sequences());
        }
        double llamaNll = r.llamaNll();
        double edgefrontNll = r.edgefrontNll();
        System.out.printf("gemma2 oracle: llama-perplexity PPL %.6f (mean NLL %.6f), EdgeFront PPL %.6f (mean NLL %.6f), %d tokens;"
                        + " without the attention cap NLL %.6f, without the final cap %.6f%n",
                Math.exp(llamaNll), llamaNll, Math.exp(edgefrontNll), edgefrontNll, r.tokens(), noAttentionCap, noFinalCap);
        assertEquals(llamaNll, edgefrontNll, NLL_TOLERANCE, "mean NLL over " + r.tokens() + " scored tokens; llama.cpp log tail:\n" + r.logTail());
        assertTrue(Math.abs(noAttentionCap - llamaNll) > 10 * NLL_TOLERANCE, "the attention cap must matter here: " + noAttentionCap + " vs " + llamaNll);
        assertTrue(Math.abs(noFinalCap - llamaNll) > 10 * NLL_TOLERANCE, "the final cap must matter here: " + noFinalCap + " vs " + llamaNll);
        // and the CLI's eval runs the same file with the tokenizer it carries
        com.fasterxml.jackson.databind.JsonNode eval = LlamaCppTools.eval128("--model", gguf.toString());
        assertTrue(Double.isFinite(eval.get("nll").asDouble()) && eval.get("nll").asDouble() > 0, eval.toString());
    }

}
