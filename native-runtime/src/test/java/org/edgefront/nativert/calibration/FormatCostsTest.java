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
        assertEquals(40, FormatCosts.FORMATS);
        assertThrows(IllegalArgumentException.class, () -> new FormatCosts(new double[FormatCosts.FORMATS_API6 + 1]));
    }
}
