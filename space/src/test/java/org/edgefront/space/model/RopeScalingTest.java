package org.edgefront.space.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Frequencies worked out by hand from each rule's published definition on cases chosen to make them simple. */
class RopeScalingTest {
    @Test
    void defaultIsThetaToTheMinusTwoIOverD() {
        assertArrayEquals(new double[] {1, 0.1, 0.01}, RopeScaling.NONE.inverseFrequencies(1000, 6), 1e-15);
    }

    @Test
    void linearDividesEveryFrequencyByTheFactor() {
        assertArrayEquals(new double[] {0.25, 0.025, 0.0025}, RopeScaling.linear(4).inverseFrequencies(1000, 6), 1e-15);
    }

    @Test
    void llama3KeepsShortWavelengthsDividesLongOnesAndBlendsBetween() {
        // original context 100, low/high factors 1/4: wavelengths above 100 are divided by the factor, below 25 kept.
        // d = 4, theta = (50 / 2 pi)^2, so frequency 1 has wavelength exactly 50: blend weight (100/50 - 1) / (4 - 1) = 1/3
        double f1 = 2 * Math.PI / 50;
        double theta = 1 / (f1 * f1);
        double[] f = RopeScaling.llama3(2, 1, 4, 100).inverseFrequencies(theta, 4);
        assertEquals(1.0, f[0], 1e-15, "wavelength 2 pi < 25: kept");
        assertEquals((2.0 / 3) * f1 / 2 + (1.0 / 3) * f1, f[1], 1e-15);
        double[] g = RopeScaling.llama3(2, 1, 4, 10).inverseFrequencies(theta, 4);
        assertEquals(f1 / 2, g[1], 1e-15, "wavelength 50 > 10: divided by the factor");
    }

    @Test
    void yarnKeepsFastDimensionsAndInterpolatesSlowOnes() {
        // theta = e, d = 4, original 8: the dimension turning once is 2 ln(8 / 2 pi) = 0.48 (ceil 1), the one turning
        // 32 times is negative (floor, clamped: 0); so pair 0 keeps its frequency and pair 1 is divided by the factor
        RopeScaling y = RopeScaling.yarn(4, 8, 32, 1, null);
        double[] f = y.inverseFrequencies(Math.E, 4);
        assertEquals(1.0, f[0], 1e-15);
        assertEquals(Math.exp(-0.5) / 4, f[1], 1e-15);
        assertEquals(1 + 0.1 * Math.log(4), y.attentionFactor(), 1e-15);
        assertEquals(0.9, RopeScaling.yarn(4, 8, 32, 1, 0.9).attentionFactor());
    }
}
