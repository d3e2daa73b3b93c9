package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.evaluators.quality.ForwardPasses;
import org.edgefront.space.io.GgufFile;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.RopeScaling;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real llama.cpp as the oracle of Llama 3.1-style RoPE scaling in GGUFs (Llama 3.1, 3.2, 3.3 files hold it as
 * {@code rope_freqs.weight}, one divisor per frequency pair, which llama.cpp's converter computes from the llama3 rule): a
 * tiny random Llama with the llama3 rule (factor 8, low/high frequency factors 1 and 4, original context 32, so that on
 * heads of 16 one pair keeps its frequency, one is blended and six are divided by 8) is exported by {@code export --to gguf},
 * which writes the divisors; llama-perplexity and EdgeFront's pass on the file read back agree, EdgeFront's llama3 rule on
 * the original weights gives the same NLL as the divisors it read, and the same weights without the scaling score
 * differently (asserted), so the divisors must be written, read and applied.
 */
@Tag("llamacpp")
class Llama3RopeOracleTest {
    private static final int CTX = 128;
    private static final int CHUNKS = 4;
    private static final double NLL_TOLERANCE = 2e-4;

    @TempDir
    Path dir;

    @Test
    void llamaPerplexityAndEdgeFrontAgreeOnALlamaGgufWithLlama3RopeFactors() throws Exception {
        Path gguf = dir.resolve("llama3-rope-f32.gguf");
        RopeScaling llama3 = RopeScaling.llama3(8, 1, 4, 32);
        double scaledNll;
        try (ModelWeights base = SyntheticLlama.create(new SyntheticLlama.Shape(64, 128, 2, 4, 2, 512, 256, true), 23, ArchitectureFamily.LLAMA, 16)) {
            ModelWeights w = PerplexityOracle.as(base, base.architecture().withRopeScaling(llama3));
            PerplexityOracle.f32Gguf(dir, gguf.getFileName().toString(), w);
            assertEquals(8L, GgufFile.header(gguf.toString(), new Configuration()).tensorDims().get(GgufFile.ROPE_FREQS_TENSOR).get(0));
            PerplexityOracle.Result r = PerplexityOracle.compare(dir, gguf, CTX, CHUNKS, a -> {
                    assertTrue(a.ropeScaling().perFrequencyDivisors(), a.ropeScaling().toString());
                    assertEquals(8.0, a.ropeScaling().longFactors().get(7), 1e-6);
                    assertEquals(1.0, a.ropeScaling().longFactors().get(0), 1e-6);
                });
            scaledNll = PerplexityOracle.nll(ForwardPasses.load(w), r.sequences());
            double unscaled;
            try (ModelWeights back = GgufFile.open(gguf.toString())) {
                ModelArchitecture a = back.architecture();
                unscaled = PerplexityOracle.nll(ForwardPasses.load(PerplexityOracle.as(back, a.withRopeScaling(RopeScaling.NONE))), r.sequences());
            }
            System.out.printf("llama3 rope oracle: llama-perplexity NLL %.6f, EdgeFront on the file %.6f, EdgeFront's llama3 rule %.6f, unscaled %.6f%n",
                    r.llamaNll(), r.edgefrontNll(), scaledNll, unscaled);
            assertEquals(r.llamaNll(), r.edgefrontNll(), NLL_TOLERANCE, "mean NLL over " + r.tokens() + " tokens; llama.cpp log tail:\n" + r.logTail());
            assertEquals(scaledNll, r.edgefrontNll(), 1e-5, "the rule and the divisors written for it compute the same frequencies");
            assertTrue(Math.abs(unscaled - r.llamaNll()) > 10 * NLL_TOLERANCE, "the scaling must matter here: " + unscaled + " vs " + r.llamaNll());
        }
    }
}
