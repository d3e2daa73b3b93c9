package org.edgefront.evaluators.quality;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The exponential-bound kernels of {@link ForwardMath} as SIMD code through the JDK's incubating Vector API: about
 * 1 ns per value where the scalar loops take 4-5 ns (the softmaxes and the SiLU gate were a fifth of a 135M-shape
 * pass). The exponential is {@link ForwardMath#expNonPositive}'s own sequence of float operations lane by lane, not the
 * API's {@code EXP}: that one gives other bits before HotSpot compiles the loop than after, so a configuration's KL
 * would depend on when it was measured. Each lane's exponential therefore equals the scalar one bit for bit; only the
 * order of the softmax sums differs. Tails shorter than a vector run the scalar code. Referenced only through
 * {@link ForwardMath} when {@link ForwardMath#SIMD} says the module is loaded (a class that names
 * {@code jdk.incubator.vector} fails to link without it). Stateless and thread-safe.
 */
final class VectorKernels {
    private VectorKernels() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Lanes of the preferred float vector on this CPU (16 with AVX-512, 8 with AVX2). */
    static int lanes() { return S.length(); }

    /** {@link ForwardMath#expNonPositive} of every lane, with the same operations in the same order. */
    static FloatVector expNonPositive(FloatVector x) {
        FloatVector t = x.mul(ForwardMath.LOG2E).add(ForwardMath.ROUNDING);
        FloatVector n = t.sub(ForwardMath.ROUNDING);
        FloatVector r = x.sub(n.mul(ForwardMath.LN2_HI)).sub(n.mul(ForwardMath.LN2_LO));
        FloatVector p = r.mul(1f / 720).add(1f / 120).mul(r).add(1f / 24).mul(r).add(1f / 6).mul(r).add(0.5f).mul(r).add(1f).mul(r).add(1f);
        IntVector bits = ((IntVector) t.reinterpretAsInts()).sub(ForwardMath.EXPONENT_SHIFT).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats()).blend(0f, x.lt(ForwardMath.EXP_UNDERFLOW));
    }

    /** Softmax of {@code x[from, to)} in place (to > from). */
    static void softmax(float[] x, int from, int to) {
        float max = max(x, from, to);
        int l = S.length();
        FloatVector sums = FloatVector.zero(S);
        int i = from;
        for (; i + l <= to; i += l) {
            FloatVector e = expNonPositive(FloatVector.fromArray(S, x, i).sub(max));
            e.intoArray(x, i);
            sums = sums.add(e);
        }
        float sum = sums.reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            float e = ForwardMath.expNonPositive(x[i] - max);
            x[i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        i = from;
        for (; i + l <= to; i += l) FloatVector.fromArray(S, x, i).mul(inv).intoArray(x, i);
        for (; i < to; i++) x[i] *= inv;
    }

    /** Log-softmax of {@code x[off, off + n)} in place (n > 0; -inf entries stay -inf). */
    static void logSoftmax(float[] x, int off, int n) {
        int to = off + n;
        float max = max(x, off, to);
        int l = S.length();
        FloatVector sums = FloatVector.zero(S);
        int i = off;
        for (; i + l <= to; i += l) sums = sums.add(expNonPositive(FloatVector.fromArray(S, x, i).sub(max)));
        double sum = sums.reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) sum += ForwardMath.expNonPositive(x[i] - max);
        float lse = (float) (max + Math.log(sum));
        i = off;
        for (; i + l <= to; i += l) FloatVector.fromArray(S, x, i).sub(lse).intoArray(x, i);
        for (; i < to; i++) x[i] -= lse;
    }

    /** {@code out[ob + j] = silu(h[hb + j]) * h[hb + width + j]} for j below {@code width}, as {@link ForwardMath#silu}. */
    static void siluGate(float[] h, int hb, int width, float[] out, int ob) {
        int l = S.length();
        int j = 0;
        for (; j + l <= width; j += l) {
            FloatVector g = FloatVector.fromArray(S, h, hb + j);
            FloatVector e = expNonPositive(g.abs().neg());
            FloatVector num = FloatVector.broadcast(S, 1f).blend(e, g.lt(0f));
            g.mul(num).div(e.add(1f)).mul(FloatVector.fromArray(S, h, hb + width + j)).intoArray(out, ob + j);
        }
        for (; j < width; j++) out[ob + j] = ForwardMath.silu(h[hb + j]) * h[hb + width + j];
    }

    /** Half as many floats as {@link #S} lanes: what one vector of doubles holds. */
    private static final VectorSpecies<Float> HALF = FloatVector.SPECIES_PREFERRED.length() >= 16 ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

    /** {@link ForwardMath#dot}: products and sums in double lanes (two accumulators), then the lanes and the tail. */
    static double dot(float[] p, int po, float[] q, int qo, int n) {
        int l = D.length();
        if (HALF.length() != l) return ForwardMath.dotScalar(p, po, q, qo, n);
        DoubleVector a0 = DoubleVector.zero(D);
        DoubleVector a1 = DoubleVector.zero(D);
        int i = 0;
        for (; i + 2 * l <= n; i += 2 * l) {
            a0 = widen(p, po + i).fma(widen(q, qo + i), a0);
            a1 = widen(p, po + i + l).fma(widen(q, qo + i + l), a1);
        }
        double s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += p[po + i] * (double) q[qo + i];
        return s;
    }

    private static DoubleVector widen(float[] x, int at) {
        return (DoubleVector) FloatVector.fromArray(HALF, x, at).convertShape(VectorOperators.F2D, D, 0);
    }

    /** {@link ForwardMath#argmax}: the largest value, then its first index; the scalar rule wherever a NaN is present. */
    static int argmax(float[] x, int off, int n) {
        float m = max(x, off, off + n);
        if (Float.isNaN(m) || Float.isNaN(x[off])) return ForwardMath.argmaxScalar(x, off, n);
        int l = S.length();
        int i = 0;
        for (; i + l <= n; i += l) {
            var eq = FloatVector.fromArray(S, x, off + i).eq(m);
            if (eq.anyTrue()) return i + eq.firstTrue();
        }
        for (; i < n; i++) if (x[off + i] == m) return i;
        return ForwardMath.argmaxScalar(x, off, n);
    }

    private static float max(float[] x, int from, int to) {
        int l = S.length();
        FloatVector v = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = from;
        for (; i + l <= to; i += l) v = v.max(FloatVector.fromArray(S, x, i));
        float max = v.reduceLanes(VectorOperators.MAX);
        for (; i < to; i++) if (x[i] > max) max = x[i];
        return max;
    }
}
