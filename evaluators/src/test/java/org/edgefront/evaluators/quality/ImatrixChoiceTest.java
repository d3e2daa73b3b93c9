package org.edgefront.evaluators.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.io.Llama2cCheckpoint;
import org.edgefront.space.io.TextCorpus;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.tokenizer.Llama2cTokenizer;
import org.junit.jupiter.api.Test;

/**
 * {@code +imatrix} choices: llama.cpp's importance-weighted quantizers with an importance matrix from calibration text
 * disjoint from the evaluation text (their bytes equal llama-quantize --imatrix's: ImatrixLlamaQuantizeRoundTripTest).
 */
class ImatrixChoiceTest {
    private static final Path MODELS = Path.of(System.getProperty("edgefront.shared", "../shared")).resolve("models");

    @Test
    void imatrixOptionsLowerMeasuredKlAtEqualBytesOnStories260K() throws Exception {
        try (ModelWeights w = Llama2cCheckpoint.open(MODELS.resolve("stories260K.bin").toString())) {
            var arch = w.architecture();
            var tok = Llama2cTokenizer.load(MODELS.resolve("tok512.bin").toString(), arch.vocabSize());
            List<String> paragraphs = TextCorpus.paragraphs(MODELS.resolve("tinystories_val.txt").toString());
            List<int[]> eval = TextCorpus.encode(tok, paragraphs.subList(0, 10), 256);
            List<int[]> calibration = TextCorpus.encode(tok, paragraphs.subList(10, 42), 256);
            List<TensorChoice> options = List.of(TensorChoice.parse("Q4_0"), TensorChoice.parse("Q4_0+imatrix"),
                    TensorChoice.parse("IQ4_NL"), TensorChoice.parse("IQ4_NL+imatrix"));
            SearchSpace space = SearchSpace.perTensor(arch, options);
            try (QualityEvaluator q = QualityEvaluator.calibrated(space, w, eval, calibration, QualityEvaluator.DEFAULT_CACHE_BYTES)) {
                for (String format : List.of("Q4_0", "IQ4_NL")) {
                    double plain = q.measure(uniform(arch.linearTensors(), format)).klNatsPerToken();
                    double weighted = q.measure(uniform(arch.linearTensors(), format + "+imatrix")).klNatsPerToken();
                    System.out.printf("stories260K uniform %s: KL %.5f, with the importance matrix %.5f (%.3fx)%n", format, plain, weighted, weighted / plain);
                    assertNotEquals(plain, weighted, format);
                    assertTrue(weighted < plain, format + ": imatrix KL " + weighted + " vs " + plain);
                }
            }
        }
    }

    @Test
    void imatrixChoicesAreRefusedWithoutCalibrationTextOrOnFormatsWithoutAWeightedQuantizer() throws Exception {
        try (ModelWeights w = Llama2cCheckpoint.open(MODELS.resolve("stories260K.bin").toString())) {
            SearchSpace space = SearchSpace.perTensor(w.architecture(), List.of(TensorChoice.parse("Q4_0+imatrix")));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> QualityEvaluator.calibrated(space, w, List.of(new int[] {1, 2, 3}), List.of(), 1 << 20));
            assertTrue(e.getMessage().contains("calibration"), e.getMessage());
        }
        for (String bad : List.of("Q8_0+imatrix", "int4g32+imatrix", "Q4_0+gptq+imatrix", "Q4_0+2:4+imatrix")) {
            assertThrows(IllegalArgumentException.class, () -> TensorChoice.parse(bad), bad);
        }
        assertEquals("IQ4_XS+imatrix", TensorChoice.parse("IQ4_XS+imatrix").label());
    }

    private static Map<String, TensorChoice> uniform(List<TensorSpec> tensors, String label) {
        Map<String, TensorChoice> m = new LinkedHashMap<>();
        for (TensorSpec t : tensors) m.put(t.name(), TensorChoice.parse(label));
        return m;
    }
}
