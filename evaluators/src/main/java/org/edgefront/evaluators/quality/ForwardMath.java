package org.edgefront.evaluators.quality;

import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Kernels and tensor bookkeeping every {@link ForwardPass} shares: the ND4J matrix product over a chunk, the
 * fast exponential and log-softmax, tensor look-up with size checks, and the merged tensor map and logit bias
 * behind {@link ForwardPass#withOverrides} and {@link ForwardPass#withKeptVocabulary}. Stateless and thread-safe.
 */
final class ForwardMath {
    private ForwardMath() {}

    static final float LOG2E = 1.44269504088896341f;
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 x 2^23: adding it rounds a float of magnitude below 2^22 to an integer held in the low mantissa bits. */
    static final float ROUNDING = 12582912f;
    /** The bits of {@link #ROUNDING} less the exponent bias: subtracted from t's bits, leaves n + 127. */
    static final int EXPONENT_SHIFT = 0x4B400000 - 127;
    /** Below this, e^x is under the smallest normal float: 0. */
    static final float EXP_UNDERFLOW = -87.3f;

    /**
     * e^x for x <= 0 (softmax after subtracting the maximum), relative error below 3e-7: x = n ln2 + r with
     * |r| <= ln2/2 (n rounded by adding {@link #ROUNDING}, no float-to-int conversion), e^r by a degree-6 Taylor
     * polynomial, 2^n by building the exponent bits; 0 below {@link #EXP_UNDERFLOW}, NaN for NaN. Only float additions,
     * multiplications and bit moves, so {@link VectorKernels#expNonPositive} computes the same bits lane by lane.
     */
    static float expNonPositive(float x) {
        float t = x * LOG2E + ROUNDING;
        float n = t - ROUNDING;
        float r = x - n * LN2_HI - n * LN2_LO;
        float p = 1f + r * (1f + r * (0.5f + r * (1f / 6 + r * (1f / 24 + r * (1f / 120 + r * (1f / 720))))));
        float e = p * Float.intBitsToFloat((Float.floatToRawIntBits(t) - EXPONENT_SHIFT) << 23);
        return x < EXP_UNDERFLOW ? 0f : e;
    }

    /**
     * Whether the exponential-bound kernels run as SIMD code ({@link VectorKernels}): on x86-64 with vectors of at least
     * 8 floats (AVX2, AVX-512), when the JVM was started with {@code --add-modules jdk.incubator.vector} (bin/edgefront,
     * the tests and the Spark settings the README gives do) and {@code -Dedgefront.simd=false} is not set; elsewhere the
     * scalar code below runs. Both compute every exponential to the same bits and differ only in the order of a
     * softmax's sum (about 1e-7 relative).
     */
    static final boolean SIMD = simdAvailable();

    private static boolean simdAvailable() {
        if (!Boolean.parseBoolean(System.getProperty("edgefront.simd", "true"))) return false;
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("x86_64")) return false;
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return false;
        return VectorKernels.lanes() >= 8;
    }

    /** Softmax of {@code x[from, to)} in place (to > from). */
    static void softmax(float[] x, int from, int to) {
        if (SIMD) VectorKernels.softmax(x, from, to);
        else softmaxScalar(x, from, to);
    }

    static void softmaxScalar(float[] x, int from, int to) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) if (x[i] > max) max = x[i];
        float sum = 0;
        for (int i = from; i < to; i++) {
            float e = expNonPositive(x[i] - max);
            x[i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = from; i < to; i++) x[i] *= inv;
    }

    /** {@code out[ob + j] = silu(h[hb + j]) * h[hb + width + j]} for j below {@code width}: one SwiGLU row. */
    static void siluGate(float[] h, int hb, int width, float[] out, int ob) {
        if (SIMD) VectorKernels.siluGate(h, hb, width, out, ob);
        else siluGateScalar(h, hb, width, out, ob);
    }

    static void siluGateScalar(float[] h, int hb, int width, float[] out, int ob) {
        for (int j = 0; j < width; j++) out[ob + j] = silu(h[hb + j]) * h[hb + width + j];
    }

    /** SiLU, x / (1 + e^-x), through the fast exponential of -|x| for both signs. */
    static float silu(float x) {
        // e^-|x| never overflows; the select (not a branch) avoids mispredictions on random signs
        float e = expNonPositive(-Math.abs(x));
        float num = x >= 0 ? 1f : e;
        return x * num / (1f + e);
    }

    /** Log-softmax of {@code x[off, off + n)} in place. */
    static void logSoftmax(float[] x, int off, int n) {
        if (SIMD) VectorKernels.logSoftmax(x, off, n);
        else logSoftmaxScalar(x, off, n);
    }

    static void logSoftmaxScalar(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) if (x[off + i] > max) max = x[off + i];
        double sum = 0;
        for (int i = 0; i < n; i++) sum += expNonPositive(x[off + i] - max);
        float lse = (float) (max + Math.log(sum));
        for (int i = 0; i < n; i++) x[off + i] -= lse;
    }

    /**
     * {@code sum p[po + i] * q[qo + i]} over {@code i < n}, each product and the sum in double: the cross term of a KL
     * over a vocabulary, whose small values are differences of sums near 1-10 nats and need double's precision.
     */
    static double dot(float[] p, int po, float[] q, int qo, int n) {
        return SIMD ? VectorKernels.dot(p, po, q, qo, n) : dotScalar(p, po, q, qo, n);
    }

    static double dotScalar(float[] p, int po, float[] q, int qo, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += p[po + i] * (double) q[qo + i];
        return s;
    }

    /**
     * The index (0-based, relative to {@code off}) of the first largest of {@code x[off, off + n)}, n > 0: the first
     * index where no later value is strictly larger, as {@code if (x[i] > x[best]) best = i} from best = 0 (a NaN never
     * wins, and one at 0 keeps 0).
     */
    static int argmax(float[] x, int off, int n) {
        return SIMD ? VectorKernels.argmax(x, off, n) : argmaxScalar(x, off, n);
    }

    static int argmaxScalar(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (x[off + i] > x[off + best]) best = i;
        return best;
    }

    static INDArray matrix(float[] data, int rows, int cols) {
        return matrix(rows, cols, data);
    }

    /** A {@code rows x cols} row-major matrix of {@code parts} one after another (no joined copy on the heap). */
    static INDArray matrix(int rows, int cols, float[]... parts) {
        long n = 0;
        for (float[] p : parts) n += p.length;
        if (n != (long) rows * cols) throw new IllegalArgumentException(n + " values for a " + rows + " x " + cols + " matrix");
        INDArray a = Nd4j.createUninitialized(DataType.FLOAT, new long[] {rows, cols}, 'c');
        FloatPointer dst = new FloatPointer(a.data().addressPointer());
        long o = 0;
        for (float[] p : parts) {
            dst.position(o).put(p, 0, p.length);
            o += p.length;
        }
        return a;
    }

    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] out = new float[n];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    /** Rows [r0, r1) of y (row-major, {@code width} columns) plus b; nothing for a null bias. */
    static void addBias(float[] y, float[] b, int r0, int r1, int width) {
        if (b == null) return;
        for (int r = r0; r < r1; r++) {
            int o = r * width;
            for (int i = 0; i < width; i++) y[o + i] += b[i];
        }
    }

    /** The tensor {@code name} of {@code t}, which must hold {@code expected} values. */
    static float[] get(ModelArchitecture arch, Map<String, float[]> t, String name, int expected) {
        float[] v = t.get(name);
        if (v == null) throw new IllegalArgumentException("tensor " + name + " missing for " + arch.name());
        if (v.length != expected) throw new IllegalArgumentException("tensor " + name + " has " + v.length + " values, expected " + expected);
        return v;
    }

    /** Whether any of {@code names} was replaced. */
    static boolean any(Map<String, float[]> changed, String... names) {
        for (String n : names) if (changed.containsKey(n)) return true;
        return false;
    }

    /** {@code tensors} with {@code replaced} put over them, unmodifiable; every replaced name must already be there. */
    static Map<String, float[]> merged(ModelArchitecture arch, Map<String, float[]> tensors, Map<String, float[]> replaced) {
        // names only: a lazily computed replacement (TensorViews.computed) is produced when its layer runs, not here
        for (String n : replaced.keySet()) {
            if (!tensors.containsKey(n)) throw new IllegalArgumentException("no tensor " + n + " in " + arch.name());
        }
        return TensorViews.overlay(tensors, replaced instanceof TensorViews.View ? replaced : Map.copyOf(replaced));
    }

    /** The tensor map a new pass keeps: an immutable copy, or the view itself for produced-on-read maps (copying would read them whole). */
    static Map<String, float[]> kept(Map<String, float[]> tensors) {
        return tensors instanceof TensorViews.View ? tensors : Map.copyOf(tensors);
    }

    /** The logit bias of a kept vocabulary: 0 for kept tokens, -inf for the others; null keeps every token. */
    static float[] logitBias(ModelArchitecture arch, boolean[] keptTokens) {
        if (keptTokens == null) return null;
        if (keptTokens.length != arch.vocabSize()) {
            throw new IllegalArgumentException("vocabulary mask has " + keptTokens.length + " entries, vocabulary is " + arch.vocabSize());
        }
        float[] bias = new float[keptTokens.length];
        boolean any = false;
        for (int i = 0; i < bias.length; i++) {
            bias[i] = keptTokens[i] ? 0f : Float.NEGATIVE_INFINITY;
            any |= keptTokens[i];
        }
        if (!any) throw new IllegalArgumentException("vocabulary mask keeps no token");
        return bias;
    }

    static String name(TensorRole role, int layer) { return TensorSpec.canonicalName(role, layer); }
}
