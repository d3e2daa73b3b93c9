package org.edgefront.nativert.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.edgefront.space.input.InvalidInputException;
import org.junit.jupiter.api.Test;

class FormatProvenanceTest {
    private static final String HEADER = "engine_contains,model_contains,weight_format,stored_format,evidence\n";
    private static final FormatProvenance P = FormatProvenance.parse("p.csv", HEADER
            + "bench script,,INT4,q4f16_ft,script default\n"
            + "bench script,Gemma-2,INT4,q4f16_1,script names Gemma-2\n");

    @Test
    void anEntryNamingTheModelWinsOverTheScriptDefault() {
        assertEquals("q4f16_1", P.find("MLC-LLM (jetson bench script)", "Gemma-2-9B", "INT4").storedFormat());
        assertEquals("q4f16_ft", P.find("MLC-LLM (jetson bench script)", "Llama-3.1-8B", "INT4").storedFormat());
        assertEquals("q4f16_ft", P.find("mlc-llm (JETSON BENCH SCRIPT)", "llama", " int4 ").storedFormat(), "case and spaces do not matter");
    }

    @Test
    void aRowOfAnotherEngineOrLabelIsReadAsPrinted() {
        assertNull(P.find("MLC-LLM (WebLLM)", "Gemma-2-9B", "INT4"));
        assertNull(P.find("MLC-LLM (jetson bench script)", "Gemma-2-9B", "q4f16_1"));
        assertNull(FormatProvenance.NONE.find("MLC-LLM (jetson bench script)", "Gemma-2-9B", "INT4"));
    }

    @Test
    void anEntryWithoutEvidenceIsBadInputNamingTheFileAndField() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> FormatProvenance.parse("p.csv", HEADER + "bench script,,INT4,q4f16_ft, \n"));
        assertTrue(e.getMessage().contains("p.csv") && e.getMessage().contains("evidence"), e.getMessage());
        InvalidInputException h = assertThrows(InvalidInputException.class,
                () -> FormatProvenance.parse("p.csv", "engine_contains,weight_format,stored_format,evidence\n"));
        assertTrue(h.getMessage().contains("model_contains"), h.getMessage());
    }

    @Test
    void theRepositorysEntriesEachResolveToAStoredFormat() {
        FormatProvenance repo = FormatProvenance.load("../configs/measurements/format-provenance.csv");
        assertTrue(repo.entries().size() >= 2);
        var arch = org.edgefront.nativert.device.ModelDescriptors.load("../configs/models/gemma-2-2b.yaml").architecture();
        for (FormatProvenance.Entry e : repo.entries()) {
            assertTrue(!FormatMixes.resolve(arch, e.storedFormat()).isEmpty(), e.toString());
        }
    }
}
