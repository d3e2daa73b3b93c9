package org.edgefront.evaluators.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The softmax, log-softmax and SwiGLU kernels of ForwardMath: SIMD and scalar code against a double reference. */
class ForwardKernelsTest {
    private static final int[] LENGTHS = {1, 2, 7, 15, 16, 17, 33, 100, 255, 256, 257, 1000};

    @FunctionalInterface
    private interface RangeKernel {
        void apply(float[] x, int off, int n);
    }

    @Test
    void theTestJvmRunsTheSimdKernelsOnX8664() {
        // the build's JVM settings load jdk.incubator.vector; without them the pass silently loses its speed
        String arch = System.getProperty("os.arch");
        assumeTrue(arch.equals("amd64") || arch.equals("x86_64"));
        assertTrue(ForwardMath.SIMD, "ForwardMath.SIMD is false under the test JVM: --add-modules=jdk.incubator.vector missing");
    }

    @Test
    void vectorExponentialEqualsTheScalarOneBitForBit() {
        // the same float operations in the same order: a KL must not depend on which path (or JIT tier) ran
        assumeTrue(ForwardMath.SIMD);
        int lanes = VectorKernels.lanes();
        float[] x = new float[lanes * 4096];
        Random r = new Random(3);
        for (int i = 0; i < x.length; i++) x[i] = (float) (-r.nextDouble() * 100);
        float[] special = {0f, -0f, Float.NEGATIVE_INFINITY, Float.NaN, -87.3f, Math.nextDown(-87.3f), Math.nextUp(-87.3f),
                -1e-30f, -0.34657359f, -0.34657362f, Float.MIN_VALUE * -1, -88f};
        System.arraycopy(special, 0, x, 0, special.length);
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += lanes) {
            VectorKernels.expNonPositive(jdk.incubator.vector.FloatVector.fromArray(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED, x, i))
                    .intoArray(y, i);
        }
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToIntBits(ForwardMath.expNonPositive(x[i])), Float.floatToIntBits(y[i]), "e^" + x[i]);
        }
    }

    @Test
    void softmaxOfEitherPathMatchesDoublePrecisionOnEveryLength() {
        checkRange((x, off, n) -> ForwardMath.softmaxScalar(x, off, off + n), false);
        if (ForwardMath.SIMD) checkRange((x, off, n) -> VectorKernels.softmax(x, off, off + n), false);
    }

    @Test
    void logSoftmaxOfEitherPathMatchesDoublePrecisionOnEveryLength() {
        checkRange(ForwardMath::logSoftmaxScalar, true);
        if (ForwardMath.SIMD) checkRange(VectorKernels::logSoftmax, true);
    }

    @Test
    void logSoftmaxKeepsMaskedEntriesAtMinusInfinity() {
        float[] x = {1f, Float.NEGATIVE_INFINITY, 2f, Float.NEGATIVE_INFINITY, 0.5f};
        float[] y = x.clone();
        ForwardMath.logSoftmax(y, 0, y.length);
        assertEquals(Float.NEGATIVE_INFINITY, y[1]);
        assertEquals(Float.NEGATIVE_INFINITY, y[3]);
        double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(0.5));
        assertEquals(2 - lse, y[2], 1e-6);
    }

    @Test
    void siluGateOfEitherPathMatchesDoublePrecisionIncludingSaturatedInputs() {
        Random r = new Random(11);
        for (int width : LENGTHS) {
            float[] h = new float[3 + 2 * width];
            for (int i = 0; i < h.length; i++) h[i] = (float) (r.nextGaussian() * 8);
            h[3] = -200f;   // e^-g overflows: the product must be -0 times up, not NaN
            if (width > 1) h[4] = 200f;
            float[] scalar = new float[width + 5];
            float[] simd = new float[width + 5];
            ForwardMath.siluGateScalar(h, 3, width, scalar, 5);
            if (ForwardMath.SIMD) VectorKernels.siluGate(h, 3, width, simd, 5);
            for (int j = 0; j < width; j++) {
                double g = h[3 + j];
                double want = g / (1 + Math.exp(-g)) * h[3 + width + j];
                assertEquals(want, scalar[5 + j], 2e-6 * Math.abs(want) + 1e-30, "scalar width " + width + " j " + j);
                if (ForwardMath.SIMD) assertEquals(want, simd[5 + j], 2e-6 * Math.abs(want) + 1e-30, "simd width " + width + " j " + j);
            }
            for (int j = 0; j < 5; j++) assertEquals(0f, scalar[j]);
        }
    }

    @Test
    void aValuesResultDoesNotDependOnWhereItsRangeStarts() {
        // the tail lanes go through the same vector exponential as the body: shifting a row changes no result bit
        Random r = new Random(5);
        float[] row = new float[37];
        for (int i = 0; i < row.length; i++) row[i] = (float) r.nextGaussian() * 4;
        float[] a = new float[64];
        float[] b = new float[64];
        System.arraycopy(row, 0, a, 0, row.length);
        System.arraycopy(row, 0, b, 3, row.length);
        ForwardMath.softmax(a, 0, row.length);
        ForwardMath.softmax(b, 3, 3 + row.length);
        float[] shifted = new float[row.length];
        System.arraycopy(b, 3, shifted, 0, row.length);
        assertArrayEquals(java.util.Arrays.copyOf(a, row.length), shifted);
    }

    private static void checkRange(RangeKernel kernel, boolean log) {
        Random r = new Random(7);
        for (int n : LENGTHS) {
            int off = 5;
            float[] x = new float[off + n + 4];
            for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 6);
            float[] before = x.clone();
            kernel.apply(x, off, n);
            double max = Double.NEGATIVE_INFINITY;
            for (int i = off; i < off + n; i++) max = Math.max(max, before[i]);
            double sum = 0;
            for (int i = off; i < off + n; i++) sum += Math.exp(before[i] - max);
            for (int i = off; i < off + n; i++) {
                double p = Math.exp(before[i] - max) / sum;
                if (log) assertEquals(Math.log(p), x[i], 2e-5 * Math.max(1, Math.abs(Math.log(p))), "n " + n + " i " + i);
                else assertEquals(p, x[i], 1e-5 * p + 1e-37, "n " + n + " i " + i);
            }
            for (int i = 0; i < off; i++) assertEquals(before[i], x[i], "untouched before the range");
            for (int i = off + n; i < x.length; i++) assertEquals(before[i], x[i], "untouched after the range");
        }
    }

    @Test
    void klCrossTermOfEitherPathMatchesAnExactSumOnEveryLength() {
        Random r = new Random(11);
        for (int n : LENGTHS) {
            float[] p = new float[n + 3];
            float[] q = new float[n + 5];
            for (int i = 0; i < p.length; i++) p[i] = (float) r.nextDouble();
            for (int i = 0; i < q.length; i++) q[i] = (float) (-20 * r.nextDouble());
            java.math.BigDecimal exact = java.math.BigDecimal.ZERO;
            for (int i = 0; i < n; i++) exact = exact.add(new java.math.BigDecimal(p[3 + i]).multiply(new java.math.BigDecimal(q[5 + i])));
            double want = exact.doubleValue();
            assertEquals(want, ForwardMath.dotScalar(p, 3, q, 5, n), 1e-13 * Math.max(1, Math.abs(want)), "scalar, n=" + n);
            if (ForwardMath.SIMD) assertEquals(want, VectorKernels.dot(p, 3, q, 5, n), 1e-13 * Math.max(1, Math.abs(want)), "SIMD, n=" + n);
        }
    }

    @Test
    void argmaxOfEitherPathIsTheFirstLargestWithTheScalarRuleForNaN() {
        assumeTrue(ForwardMath.SIMD);
        Random r = new Random(5);
        for (int n : LENGTHS) {
            for (int trial = 0; trial < 20; trial++) {
                float[] x = new float[n + 2];
                // few distinct values: ties are common
                for (int i = 0; i < x.length; i++) x[i] = r.nextInt(4) - 2f;
                if (trial % 5 == 1) x[2 + r.nextInt(n)] = Float.NaN;
                if (trial % 5 == 2) x[2] = Float.NaN;
                if (trial % 5 == 3) java.util.Arrays.fill(x, Float.NEGATIVE_INFINITY);
                assertEquals(ForwardMath.argmaxScalar(x, 2, n), VectorKernels.argmax(x, 2, n), "n=" + n + " trial " + trial);
            }
        }
        float[] ties = new float[40];
        ties[17] = 1f;
        ties[33] = 1f;
        assertEquals(17, VectorKernels.argmax(ties, 0, 40));
        assertEquals(15, VectorKernels.argmax(ties, 2, 38));
    }
}
