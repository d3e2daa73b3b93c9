package org.edgefront.space.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Frequencies worked out by hand from each rule's published definition on cases chosen to make them simple. */
class RopeScalingTest {
    @Test
    void defaultIsThetaToTheMinusTwoIOverD() {
        assertArrayEquals(new double[] {1, 0.1, 0.01}, RopeScaling.NONE.inverseFrequencies(1000, 6, 1), 1e-15);
    }

    @Test
    void linearDividesEveryFrequencyByTheFactor() {
        assertArrayEquals(new double[] {0.25, 0.025, 0.0025}, RopeScaling.linear(4).inverseFrequencies(1000, 6, 1), 1e-15);
    }

    @Test
    void llama3KeepsShortWavelengthsDividesLongOnesAndBlendsBetween() {
        // original context 100, low/high factors 1/4: wavelengths above 100 are divided by the factor, below 25 kept.
        // d = 4, theta = (50 / 2 pi)^2, so frequency 1 has wavelength exactly 50: blend weight (100/50 - 1) / (4 - 1) = 1/3
        double f1 = 2 * Math.PI / 50;
        double theta = 1 / (f1 * f1);
        double[] f = RopeScaling.llama3(2, 1, 4, 100).inverseFrequencies(theta, 4, 1);
        assertEquals(1.0, f[0], 1e-15, "wavelength 2 pi < 25: kept");
        assertEquals((2.0 / 3) * f1 / 2 + (1.0 / 3) * f1, f[1], 1e-15);
        double[] g = RopeScaling.llama3(2, 1, 4, 10).inverseFrequencies(theta, 4, 1);
        assertEquals(f1 / 2, g[1], 1e-15, "wavelength 50 > 10: divided by the factor");
    }

    @Test
    void yarnKeepsFastDimensionsAndInterpolatesSlowOnes() {
        // theta = e, d = 4, original 8: the dimension turning once is 2 ln(8 / 2 pi) = 0.48 (ceil 1), the one turning
        // 32 times is negative (floor, clamped: 0); so pair 0 keeps its frequency and pair 1 is divided by the factor
        RopeScaling y = RopeScaling.yarn(4, 8, 32, 1, null);
        double[] f = y.inverseFrequencies(Math.E, 4, 1);
        assertEquals(1.0, f[0], 1e-15);
        assertEquals(Math.exp(-0.5) / 4, f[1], 1e-15);
        assertEquals(1 + 0.1 * Math.log(4), y.attentionFactor(), 1e-15);
        assertEquals(0.9, RopeScaling.yarn(4, 8, 32, 1, 0.9).attentionFactor());
    }

    @Test
    void longRopeDividesEachFrequencyByTheFactorOfTheSetTheSequenceLengthPicks() {
        // theta 1000, d 6: base frequencies 1, 0.1, 0.01; original context 300
        RopeScaling r = RopeScaling.longRope(List.of(2.0, 4.0, 8.0), List.of(1.0, 1.25, 1.5), 4, 300, null);
        assertArrayEquals(new double[] {1, 0.08, 0.01 / 1.5}, r.inverseFrequencies(1000, 6, 100), 1e-15);
        assertArrayEquals(new double[] {0.5, 0.025, 0.00125}, r.inverseFrequencies(1000, 6, 400), 1e-15);
        // llama.cpp compares its context per sequence, a multiple of 256: 256 for up to 256 tokens, 512 from 257 on
        assertFalse(r.usesLongFactors(256));
        assertTrue(r.usesLongFactors(257), "257 tokens: a context of 512 > 300, though 257 < 300");
        assertTrue(r.usesLongFactors(300));
        assertFalse(RopeScaling.yarn(4, 8, 32, 1, null).usesLongFactors(1 << 20), "only LongRoPE has factor sets");
        assertEquals(Math.sqrt(1 + Math.log(4) / Math.log(300)), r.attentionFactor(), 1e-15);
        assertEquals(1.0, RopeScaling.longRope(List.of(2.0), List.of(1.0), 1, 300, null).attentionFactor(), "no stretch, no scaling");
        assertEquals(1.2, RopeScaling.longRope(List.of(2.0), List.of(1.0), 4, 300, 1.2).attentionFactor());
    }

    @Test
    void longRopeFactorsMustBePairedPositiveAndFinite() {
        assertThrows(IllegalArgumentException.class, () -> RopeScaling.longRope(List.of(2.0, 3.0), List.of(1.0), 4, 300, null));
        assertThrows(IllegalArgumentException.class, () -> RopeScaling.longRope(List.of(2.0), List.of(0.0), 4, 300, null));
        assertThrows(IllegalArgumentException.class, () -> RopeScaling.longRope(List.of(Double.NaN), List.of(1.0), 4, 300, null));
        assertThrows(IllegalArgumentException.class, () -> RopeScaling.longRope(List.of(Double.POSITIVE_INFINITY), List.of(1.0), 4, 300, null));
        assertThrows(IllegalArgumentException.class, () -> RopeScaling.longRope(List.of(), List.of(), 4, 300, null));
        assertThrows(IllegalArgumentException.class, () -> RopeScaling.longRope(List.of(1.0, 2.0), List.of(1.0, 2.0), 4, 300, null)
                .inverseFrequencies(1000, 6, 10), "two factors for three frequency pairs");
    }
}
