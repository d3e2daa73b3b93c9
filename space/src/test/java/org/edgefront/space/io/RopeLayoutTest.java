package org.edgefront.space.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class RopeLayoutTest {
    @Test
    void hfRowOrderPutsEvenPairMembersFirstWithinEachHead() {
        // two heads of size 4, one column: interleaved rows 0..7
        float[] interleaved = {0, 1, 2, 3, 4, 5, 6, 7};
        // Meta's permute: view(heads, hd/2, 2, cols).transpose(1, 2): HF row i<2 is interleaved 2i, else 2(i-2)+1
        float[] hf = {0, 2, 1, 3, 4, 6, 5, 7};
        assertArrayEquals(hf, RopeLayout.interleavedToRotateHalf(interleaved, 8, 2));
        assertArrayEquals(interleaved, RopeLayout.rotateHalfToInterleaved(hf, 8, 2));
    }

    @Test
    void partialRotaryPermutesOnlyTheRotatedRowsOfEachHead() {
        // two heads of 8, the first 6 rotated (halves of 3), rows 6 and 7 of each passed through
        float[] interleaved = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
        float[] hf = {0, 2, 4, 1, 3, 5, 6, 7, 8, 10, 12, 9, 11, 13, 14, 15};
        assertArrayEquals(hf, RopeLayout.interleavedToRotateHalf(interleaved, 16, 2, 6));
        assertArrayEquals(interleaved, RopeLayout.rotateHalfToInterleaved(hf, 16, 2, 6));
        assertArrayEquals(RopeLayout.interleavedToRotateHalf(interleaved, 16, 2), RopeLayout.interleavedToRotateHalf(interleaved, 16, 2, 8));
        assertArrayEquals(interleaved, RopeLayout.interleavedToRotateHalf(interleaved, 16, 2, 0), "nothing rotated, nothing moves");
        for (int bad : new int[] {5, 10, -2}) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> RopeLayout.interleavedToRotateHalf(interleaved, 16, 2, bad), "rotary dims " + bad);
        }
    }

    @Test
    void unpermutedRowsUnderInterleavedRopeEqualHuggingFaceRotateHalfRope() {
        // the reason for the permutation: HF's rotate-half RoPE on HF-order q/k equals llama2.c's
        // interleaved RoPE on the un-permuted rows, so attention scores are unchanged
        int hd = 8;
        int half = hd / 2;
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        float[] qHf = new float[hd];
        float[] kHf = new float[hd];
        for (int i = 0; i < hd; i++) {
            qHf[i] = (float) r.nextDouble(-1, 1);
            kHf[i] = (float) r.nextDouble(-1, 1);
        }
        int posQ = 5;
        int posK = 2;
        double scoreHf = dot(rotateHalf(qHf, posQ), rotateHalf(kHf, posK));
        float[] qIl = RopeLayout.rotateHalfToInterleaved(qHf, hd, 1);
        float[] kIl = RopeLayout.rotateHalfToInterleaved(kHf, hd, 1);
        double scoreIl = dot(interleaved(qIl, posQ), interleaved(kIl, posK));
        org.junit.jupiter.api.Assertions.assertEquals(scoreHf, scoreIl, 1e-6);
        float[] a = RopeLayout.rotateHalfToInterleaved(toFloat(rotateHalf(qHf, posQ)), hd, 1);
        double[] b = interleaved(qIl, posQ);
        for (int i = 0; i < hd; i++) org.junit.jupiter.api.Assertions.assertEquals(b[i], a[i], 1e-6);
        org.junit.jupiter.api.Assertions.assertNotEquals(scoreHf, dot(interleaved(qHf, posQ), interleaved(kHf, posK)), 1e-3);
    }

    private static double theta(int i, int hd) { return Math.pow(10000, -2.0 * i / hd); }

    private static double[] rotateHalf(float[] x, int pos) {
        int hd = x.length;
        int half = hd / 2;
        double[] o = new double[hd];
        for (int i = 0; i < half; i++) {
            double c = Math.cos(pos * theta(i, hd));
            double s = Math.sin(pos * theta(i, hd));
            o[i] = x[i] * c - x[i + half] * s;
            o[i + half] = x[i + half] * c + x[i] * s;
        }
        return o;
    }

    private static double[] interleaved(float[] x, int pos) {
        int hd = x.length;
        double[] o = new double[hd];
        for (int i = 0; i < hd / 2; i++) {
            double c = Math.cos(pos * theta(i, hd));
            double s = Math.sin(pos * theta(i, hd));
            o[2 * i] = x[2 * i] * c - x[2 * i + 1] * s;
            o[2 * i + 1] = x[2 * i] * s + x[2 * i + 1] * c;
        }
        return o;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    @Test
    void permutationMovesWholeRows() {
        // one head of size 6, two columns
        float[] il = {0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f, 4, 4.5f, 5, 5.5f};
        float[] hf = RopeLayout.interleavedToRotateHalf(il, 6, 1);
        assertArrayEquals(new float[] {0, 0.5f, 2, 2.5f, 4, 4.5f, 1, 1.5f, 3, 3.5f, 5, 5.5f}, hf);
        assertArrayEquals(il, RopeLayout.rotateHalfToInterleaved(hf, 6, 1));
    }
}
