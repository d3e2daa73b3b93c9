package org.edgefront.nativert;

import org.edgefront.nativert.device.*;
import org.edgefront.nativert.calibration.*;
import org.edgefront.nativert.reference.*;
import org.edgefront.nativert.tools.*;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MeasuredEnergyTest {
    private static final DeviceProfile S24U = DeviceProfiles.load("../configs/devices/samsung-galaxy-s24-ultra.yaml");

    @Test
    void publishedFigureIsTakenAsIsIncludingAnApproximateOne() {
        MeasuredEnergy e = MeasuredEnergy.of(Map.of("energy_j_per_token", "~0.07", "phase", "decode"), null, 128, 128);
        assertEquals(MeasuredEnergy.Scope.DECODE, e.scope());
        assertEquals(0.07, e.joulesPerToken(), 1e-12);
    }

    @Test
    void batteryDrainBecomesWholeQueryJoulesPerGeneratedToken() {
        MeasuredEnergy e = MeasuredEnergy.of(Map.of("energy_note", "only battery drain published: 1% SoC over 5 iterations (94%->93%)",
                "phase", "whole-query", "decode_tok_s", "9.93"), S24U, 250, 504);
        assertEquals(MeasuredEnergy.Scope.WHOLE_QUERY, e.scope());
        // 1% of 19.4 Wh = 698.4 J over 5 x 504 generated tokens
        assertEquals(0.01 * S24U.battery().joules() / (5 * 504.0), e.joulesPerToken(), 1e-12);
    }

    @Test
    void averagePowerOverAWholeRunCoversPrefillAndDecodeTime() {
        MeasuredEnergy e = MeasuredEnergy.of(Map.of("power_w", "7.8 (wall, whole llama-bench run)", "phase", "whole-query",
                "decode_tok_s", "15.23", "prefill_tok_s", "25.25 (pp512)"), null, 512, 128);
        assertEquals(7.8 * (512 / 25.25 + 128 / 15.23) / 128, e.joulesPerToken(), 1e-12);
    }

    @Test
    void peakPowerDuringDecodeOverDecodeSpeed() {
        MeasuredEnergy e = MeasuredEnergy.of(Map.of("power_w", "11.9 (peak, wall)", "phase", "decode", "decode_tok_s", "4.88"), null, 128, 128);
        assertEquals(MeasuredEnergy.Scope.DECODE, e.scope());
        assertEquals(11.9 / 4.88, e.joulesPerToken(), 1e-12);
        assertFalse(MeasuredEnergy.of(Map.of("decode_tok_s", "4.88"), null, 128, 128).present());
    }
}
