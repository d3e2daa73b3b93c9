package org.edgefront.evaluators.quality;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgefront.evaluators.compress.Gptq;
import org.edgefront.evaluators.compress.HessianStats;
import org.edgefront.evaluators.compress.TensorCompressor;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.io.Llama2cCheckpoint;
import org.edgefront.space.io.TextCorpus;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.tokenizer.Llama2cTokenizer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * GPTQ against round-to-nearest on stories260K: Hessians from calibration paragraphs starting at 200, output
 * reconstruction error on held-out activations and KL on evaluation paragraphs starting at 0, disjoint.
 * Every block linear tensor is quantized; the (tied) embedding stays F32 in both arms.
 */
class GptqStoriesTest {
    record Arm(double relativeError, int tensorsWon, DivergenceMeter.Result quality) {}

    @Test
    void gptqBeatsRoundToNearestOnHeldOutReconstructionErrorAndKl() throws Exception {
        compare(20, 64, "int3g32", "int4g32");
    }

    /** The fuller table (more text, more formats) quoted in the module report. */
    @Test
    @org.junit.jupiter.api.Tag("slow")
    void gptqVersusRoundToNearestTableOnMoreText() throws Exception {
        compare(40, 128, "int3g32", "int4g32", "int3g32a", "Q4_0", "Q4_K");
    }

    private static void compare(int evalParagraphs, int calibrationParagraphs, String... formats) throws Exception {
        Assumptions.assumeTrue(Files.exists(LlamaForwardTest.MODEL), "shared model missing");
        ForwardPass base;
        try (ModelWeights w = Llama2cCheckpoint.open(LlamaForwardTest.MODEL.toString())) {
            base = ForwardPasses.load(w);
        }
        Llama2cTokenizer tok = Llama2cTokenizer.load(LlamaForwardTest.TOKENIZER.toString(), 512);
        List<String> paragraphs = TextCorpus.paragraphs(LlamaForwardTest.TEXT.toString());
        List<int[]> eval = TextCorpus.encode(tok, paragraphs.subList(0, evalParagraphs), 512);
        List<int[]> calib = TextCorpus.encode(tok, paragraphs.subList(200, 200 + calibrationParagraphs), 512);

        Set<String> names = new LinkedHashSet<>();
        for (TensorSpec t : base.architecture().linearTensors()) if (t.layer() >= 0) names.add(t.name());
        long t0 = System.nanoTime();
        HessianStats calibration = HessianCollector.collect(base, calib, names);
        HessianStats heldOut = HessianCollector.collect(base, eval, names);
        long t1 = System.nanoTime();
        DivergenceMeter meter = new DivergenceMeter(base, eval);
        System.out.printf("GPTQ on stories260K: %d calibration tokens, %d held-out tokens, hessians %.2f s, reference ppl %.4f%n",
                calibration.tokens(), heldOut.tokens(), (t1 - t0) / 1e9, meter.reference().perplexity());

        for (String format : formats) {
            WeightFormat f = WeightFormat.parse(format);
            Map<String, float[]> gptq = new HashMap<>();
            Map<String, float[]> rtn = new HashMap<>();
            double errG = 0;
            double errR = 0;
            double energy = 0;
            int won = 0;
            long tq = System.nanoTime();
            for (String name : names) {
                TensorSpec t = base.architecture().tensor(name);
                float[] w = base.tensor(name);
                float[] g = calibration.quantize(t, w, f);
                float[] r = TensorCompressor.quantizeMatrix(f, w, t.rows(), t.cols());
                gptq.put(name, g);
                rtn.put(name, r);
                float[] h = heldOut.hessianFor(name);
                double eg = quadratic(w, g, h, t.rows(), t.cols());
                double er = quadratic(w, r, h, t.rows(), t.cols());
                energy += quadratic(w, new float[w.length], h, t.rows(), t.cols());
                errG += eg;
                errR += er;
                if (eg < er) won++;
            }
            long tq2 = System.nanoTime();
            DivergenceMeter.Result qg = meter.measure(base.withOverrides(gptq));
            DivergenceMeter.Result qr = meter.measure(base.withOverrides(rtn));
            System.out.printf("%-9s held-out relative output error GPTQ %.5f RTN %.5f (GPTQ lower on %d/%d tensors); "
                    + "KL GPTQ %.5f RTN %.5f; ppl GPTQ %.4f RTN %.4f; top-1 GPTQ %.4f RTN %.4f; GPTQ time %.2f s%n",
                    format, errG / energy, errR / energy, won, names.size(), qg.klNatsPerToken(), qr.klNatsPerToken(),
                    qg.perplexity(), qr.perplexity(), qg.top1Agreement(), qr.top1Agreement(), (tq2 - tq) / 1e9);
            if (format.equals("int3g32") || format.equals("int4g32")) {
                assertTrue(errG < errR, format + ": held-out error GPTQ " + errG + " vs RTN " + errR);
                assertTrue(won >= names.size() * 3 / 4, format + ": GPTQ lower on only " + won + " tensors");
                assertTrue(qg.klNatsPerToken() < qr.klNatsPerToken(), format + ": KL GPTQ " + qg.klNatsPerToken() + " vs RTN " + qr.klNatsPerToken());
            }
        }
    }

    /** sum over rows of d H d^T with d = w - q: proportional to ||X W^T - X Q^T||^2 on the inputs behind H. */
    static double quadratic(float[] w, float[] q, float[] h, int rows, int cols) {
        double total = 0;
        double[] d = new double[cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) d[c] = (double) w[r * cols + c] - q[r * cols + c];
            for (int i = 0; i < cols; i++) {
                double s = 0;
                for (int j = 0; j < cols; j++) s += h[i * cols + j] * d[j];
                total += d[i] * s;
            }
        }
        return total;
    }
}
