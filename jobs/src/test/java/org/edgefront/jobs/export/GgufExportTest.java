package org.edgefront.jobs.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.edgefront.evaluators.compress.TensorCompressor;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.GgufFile;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufExportTest {
    @TempDir
    Path tmp;

    /** Choices per role that the reader can decode back: F32, F16, Q8_0, Q4_0 and int4g32/int8g32 in Q4_0/Q8_0 blocks. */
    private static Map<String, TensorChoice> mixed(ModelArchitecture a) {
        Map<String, TensorChoice> c = new LinkedHashMap<>();
        for (TensorSpec t : a.linearTensors()) {
            String label = switch (t.role()) {
                case EMBEDDING -> "Q8_0";
                case Q, K -> "int4g32";
                case V -> "int8g32";
                case O -> "Q4_0";
                case GATE, UP -> t.layer() % 2 == 0 ? "F16" : "Q4_0";
                default -> "Q8_0"; // FFN down: 176-weight rows, stored as F16 by llama.cpp's fallback
            };
            c.put(t.name(), TensorChoice.parse(label));
        }
        return c;
    }

    @Test
    void writtenGgufReadsBackAsExactlyTheQuantizedWeightsEdgeFrontMeasured() throws Exception {
        try (ModelWeights w = SyntheticLlama.tiny(7)) {
            ModelArchitecture a = w.architecture();
            Map<String, TensorChoice> choices = mixed(a);
            Path out = tmp.resolve("tiny.gguf");
            GgufExport.Result r = GgufExport.write("test", w, choices, null, out.toString());
            long expected = 0;
            for (TensorSpec t : a.linearTensors()) expected += choices.get(t.name()).bytes(t);
            assertEquals(expected, r.weightBytes(), "bytes as the memory model counts them");
            assertEquals("f16", r.storedTypes().get("blk.0.ffn_down.weight"), "Q8_0 on 176-weight rows falls back to F16");
            assertEquals("q4_0", r.storedTypes().get("blk.0.attn_q.weight"), "int4g32 in q4_0 blocks");
            try (ModelWeights back = GgufFile.open(out.toString())) {
                assertEquals(a.linearTensors(), back.architecture().linearTensors());
                for (TensorSpec t : a.linearTensors()) {
                    float[] want = TensorCompressor.quantizeMatrix(choices.get(t.name()).format(), w.read(t.name()), t.rows(), t.cols());
                    float[] got = back.read(t.name());
                    assertEquals(want.length, got.length, t.name());
                    // == so that a stored zero code reads as 0.0 where the dequantizer gave -0.0
                    for (int i = 0; i < want.length; i++) assertTrue(want[i] == got[i], t.name() + " " + choices.get(t.name()) + " at " + i);
                }
                assertArrayEquals(w.read(ModelArchitecture.outputNormName()), back.read(ModelArchitecture.outputNormName()));
            }
        }
    }

    @Test
    void aChoiceNoGgufTypeHoldsExactlyIsRefusedNamingTheTensorAndNothingIsWritten() throws Exception {
        try (ModelWeights w = SyntheticLlama.tiny(7)) {
            Map<String, TensorChoice> choices = mixed(w.architecture());
            String down = TensorSpec.canonicalName(TensorRole.DOWN, 1);
            choices.put(down, TensorChoice.parse("int4g32"));
            Path out = tmp.resolve("bad.gguf");
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> GgufExport.write("front.json", w, choices, null, out.toString()));
            assertEquals("choices." + down, e.field());
            assertTrue(e.getMessage().contains("176"), e.getMessage());
            choices.put(down, TensorChoice.parse("Q4_0+2:4"));
            assertThrows(InvalidInputException.class, () -> GgufExport.write("front.json", w, choices, null, out.toString()));
            assertFalse(Files.exists(out));
        }
    }
}
