package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.edgefront.evaluators.quality.ForwardPasses;
import org.edgefront.space.io.GgufFile;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real llama.cpp as the oracle of EdgeFront's SmolLM3 support: a tiny random SmolLM3 (eight layers, RoPE left out of
 * layers 3 and 7; 4 heads of 16 and 2 KV heads on a width of 64; tied embeddings) is exported as an F32 {@code smollm3}
 * GGUF with stories260K's tok512 tokenizer, and its perplexity computed by {@code llama-perplexity} and by EdgeFront's
 * forward pass on the GGUF read back, over the same token ids ({@link PerplexityOracle}); its q and k are scaled up so that
 * attention is sharp enough for positions to matter. The same weights run as a plain
 * Llama (RoPE on every layer) are asserted to score differently, so agreement needs the NoPE layers where llama.cpp has them.
 */
@Tag("llamacpp")
class SmolLm3PerplexityOracleTest {
    private static final int CTX = 128;
    private static final int CHUNKS = 4;
    /** |ln PPL| difference allowed (float32 on both sides; summation order differs). */
    private static final double NLL_TOLERANCE = 2e-4;

    @TempDir
    Path dir;

    @Test
    void llamaPerplexityAndEdgeFrontAgreeOnATinySmolLm3GgufWithItsNoPeLayers() throws Exception {
        Path gguf = dir.resolve("smollm3-tiny-f32.gguf");
        try (ModelWeights w = SyntheticLlama.create(new SyntheticLlama.Shape(64, 128, 8, 4, 2, 512, 256, true), 17,
                ArchitectureFamily.SMOLLM3, 16)) {
            PerplexityOracle.f32Gguf(dir, gguf.getFileName().toString(), sharpened(w));
        }
        PerplexityOracle.assertArchitecture(gguf, "smollm3");
        PerplexityOracle.Result r = PerplexityOracle.compare(dir, gguf, CTX, CHUNKS, a -> {
                assertEquals(ArchitectureFamily.SMOLLM3, a.family());
                assertTrue(a.family().rotatesLayer(2) && !a.family().rotatesLayer(3) && !a.family().rotatesLayer(7));
            });
        double everyLayerRotated;
        try (ModelWeights back = GgufFile.open(gguf.toString())) {
            ModelArchitecture a = back.architecture();
            ModelArchitecture llama = ModelArchitecture.of(a.name(), ArchitectureFamily.LLAMA, a.dim(), a.hiddenDim(), a.layers(), a.heads(),
                    a.kvHeads(), a.headDim(), a.vocabSize(), a.maxSeqLen(), a.tiedEmbeddings(), a.normEps(), a.ropeTheta(), a.synthetic());
            assertFalse(llama.family().rotatesLayer(3) == a.family().rotatesLayer(3));
            everyLayerRotated = PerplexityOracle.nll(ForwardPasses.load(PerplexityOracle.as(back, llama)), r.sequences());
        }
        double llamaNll = r.llamaNll();
        double edgefrontNll = r.edgefrontNll();
        System.out.printf("smollm3 oracle: llama-perplexity PPL %.6f (mean NLL %.6f), EdgeFront PPL %.6f (mean NLL %.6f), %d tokens;"
                + " with RoPE on every layer NLL %.6f%n", Math.exp(llamaNll), llamaNll, Math.exp(edgefrontNll), edgefrontNll, r.tokens(), everyLayerRotated);
        assertEquals(llamaNll, edgefrontNll, NLL_TOLERANCE, "mean NLL over " + r.tokens() + " scored tokens; llama.cpp log tail:\n" + r.logTail());
        assertTrue(Math.abs(everyLayerRotated - llamaNll) > 10 * NLL_TOLERANCE, "the NoPE layers must matter here: " + everyLayerRotated + " vs " + llamaNll);
        com.fasterxml.jackson.databind.JsonNode eval = LlamaCppTools.eval128("--model", gguf.toString());
        assertTrue(Double.isFinite(eval.get("nll").asDouble()) && eval.get("nll").asDouble() > 0, eval.toString());
    }

    /**
     * {@code w} with q and k scaled by 2.5: the synthetic model's attention is nearly uniform, so positions (and RoPE) barely
     * matter to it; sharper scores make the layers without RoPE tell.
     */
    private static ModelWeights sharpened(ModelWeights w) {
        return new ModelWeights() {
            @Override public ModelArchitecture architecture() { return w.architecture(); }
            @Override public float[] read(String tensor) throws java.io.IOException {
                float[] v = w.read(tensor);
                if (tensor.endsWith(".attn_q.weight") || tensor.endsWith(".attn_k.weight")) {
                    v = v.clone();
                    for (int i = 0; i < v.length; i++) v[i] *= 2.5f;
                }
                return v;
            }
            @Override public String source() { return w.source(); }
            @Override public void close() { }
        };
    }

}
