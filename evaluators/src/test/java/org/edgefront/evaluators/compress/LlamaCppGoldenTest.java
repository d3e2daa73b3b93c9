package org.edgefront.evaluators.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.format.NamedFormat;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bit-for-bit agreement with llama.cpp's reference quantizers. The expected figures were produced by
 * compiling ggml's {@code ggml-quants.c} (ggml-org/ggml at d99724f, gcc -O1) and running
 * {@code quantize_row_*_ref} then {@code dequantize_row_*} on the same 1,024 inputs this test generates
 * (an LCG whose floats are exact in both languages, with one outlier sub-block and one all-zero sub-block):
 * the sum and absolute sum of the dequantized values (accumulated in double, in order) and three values. IQ4_NL's and
 * IQ4_XS's figures, and the FNV-1a hashes of their stored bytes, come from {@code ggml_quantize_chunk} (what
 * llama-quantize calls: {@code quantize_iq4_nl} / {@code quantize_iq4_xs} with their scale search, no importance
 * matrix) and ggml's {@code to_float} of the llama.cpp bundled with node-llama-cpp 3.22.1, through
 * {@code tools/llama-cpp/quantize-golden.c} (libggml-base linked in, gcc -O1), on the same inputs.
 */
class LlamaCppGoldenTest {
    private static final int N = 1024;

    static float[] inputs() {
        float[] x = new float[N];
        long s = 42;
        for (int i = 0; i < N; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            float v = (float) ((s >>> 40) & 0xFFFFFF) / 16777216.0f;
            x[i] = (v - 0.5f) * 0.1f;
            if (i >= 32 && i < 48) x[i] *= 20.0f;
            if (i >= 512 && i < 528) x[i] = 0.0f;
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "Q2_K, 0.8711700439453125, 35.93096923828125, 0x1.2e8p-6, -0x1.a70cp-1, 0x1.103p-6",
        "Q3_K, 1.0062780380249023, 33.618815422058105, 0x0p0, -0x1.8ccp-1, 0x1.6bp-6",
        "Q4_K, 1.2247960567474365, 33.961953997612, 0x1.6c8p-8, -0x1.55d3p-1, 0x1.2e5e8p-6",
        "Q5_K, 1.3043199777603149, 34.222740173339844, 0x1.aafp-8, -0x1.69b24p-1, 0x1.50bc4p-6",
        "Q6_K, 1.2867657542228699, 34.144135892391205, 0x1.cbd8p-8, -0x1.608cp-1, 0x1.4aa5p-6",
        "Q4_0, 1.2140884399414062, 33.201988220214844, 0x1.87cp-8, -0x1.6efp-1, 0x1.1dp-6",
        "Q4_1, 1.5303611755371094, 35.016674041748047, 0x1.c24p-8, -0x1.68ep-1, 0x1.3cap-6",
        "Q5_0, 1.1411819458007812, 34.163700103759766, 0x1.87cp-8, -0x1.6efp-1, 0x1.4c8p-6",
        "Q5_1, 1.3094558715820312, 34.405784606933594, 0x1.082p-7, -0x1.6cfp-1, 0x1.48e8p-6",
        "Q8_0, 1.2961995601654053, 34.151825189590454, 0x1.bc18p-8, -0x1.6258p-1, 0x1.4924p-6",
        "IQ4_NL, 1.2410786151885986, 34.05444693565369, 0x1.477p-8, -0x1.48eb8p-1, 0x1.4ec5p-6",
        "IQ4_XS, 1.2092899084091187, 34.027944445610046, 0x1.9c24p-8, -0x1.48eb8p-1, 0x1.50f18p-6",
    })
    void dequantizedBlocksMatchLlamaCppReferenceBitForBit(String format, double sum, double absSum, String y0, String y40, String y700) {
        TensorSpec t = new TensorSpec("blk.0.attn_q.weight", TensorRole.Q, 0, 4, 256);
        float[] y = TensorCompressor.apply(t, inputs(), TensorChoice.parse(format), null);
        double s = 0;
        double a = 0;
        for (float v : y) {
            s += v;
            a += Math.abs(v);
        }
        assertEquals(Float.parseFloat(y0), y[0], 0f);
        assertEquals(Float.parseFloat(y40), y[40], 0f);
        assertEquals(Float.parseFloat(y700), y[700], 0f);
        assertEquals(sum, s, 0.0);
        assertEquals(absSum, a, 0.0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"IQ4_NL, -5229401037502954754", "IQ4_XS, 6505372228431743592"})
    void iq4FormatsStoreTheBytesOfLlamaQuantizesQuantizer(String format, long fnv1a64) {
        NamedFormat f = NamedFormat.valueOf(format);
        byte[] b = new byte[N / f.blockWeights() * f.blockBytes()];
        f.codec().encode(inputs(), 0, N, b, 0);
        long h = 0xcbf29ce484222325L; // FNV-1a 64
        for (byte v : b) {
            h ^= v & 0xff;
            h *= 0x100000001b3L;
        }
        assertEquals(fnv1a64, h);
    }
}
