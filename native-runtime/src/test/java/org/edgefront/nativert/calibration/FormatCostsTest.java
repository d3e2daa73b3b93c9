package org.edgefront.nativert.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FormatCostsTest {
    @Test
    void tablesOfEarlierApisArePaddedWithDefaultsForTheNewIds() {
        double[] api6 = new double[FormatCosts.FORMATS_API6];
        api6[13] = 1.5; // IQ4_NL
        FormatCosts c = new FormatCosts(api6);
        assertEquals(1.5, c.opsPerWeight(13));
        assertEquals(0.0, c.opsPerWeight(FormatCosts.FORMATS - 1), "a new id takes the library default");
        assertEquals(41, FormatCosts.FORMATS);
        double[] api9 = new double[FormatCosts.FORMATS_API9];
        api9[39] = 2.0; // TQ2_0
        FormatCosts c9 = new FormatCosts(api9);
        assertEquals(2.0, c9.opsPerWeight(39));
        assertEquals(0.0, c9.opsPerWeight(40), "MXFP4 (api 10) takes the library default");
        assertThrows(IllegalArgumentException.class, () -> new FormatCosts(new double[FormatCosts.FORMATS_API6 + 1]));
    }
}
