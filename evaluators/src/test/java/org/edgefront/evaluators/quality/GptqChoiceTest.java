package org.edgefront.evaluators.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.tokenizer.Llama2cTokenizer;
import org.junit.jupiter.api.Test;

/** {@code +gptq} choices: GPTQ from calibration text disjoint from the evaluation text, selectable per tensor. */
class GptqChoiceTest {
    private static final Path MODELS = Path.of(System.getProperty("edgefront.shared", "../shared")).resolve("models");

    @Test
    void gptqOptionLowersMeasuredKlAtEqualBytesOnStories260K() throws Exception {
        try (ModelWeights w = Llama2cCheckpoint.open(MODELS.resolve("stories260K.bin").toString())) {
            var arch = w.architecture();
            var tok = Llama2cTokenizer.load(MODELS.resolve("tok512.bin").toString(), arch.vocabSize());
            List<String> paragraphs = TextCorpus.paragraphs(MODELS.resolve("tinystories_val.txt").toString());
            List<int[]> eval = TextCorpus.encode(tok, paragraphs.subList(0, 10), 256);
            List<int[]> calibration = TextCorpus.encode(tok, paragraphs.subList(10, 42), 256);
            SearchSpace space = SearchSpace.perTensor(arch, List.of(TensorChoice.parse("int3g32"), TensorChoice.parse("int3g32+gptq")));
            try (QualityEvaluator q = QualityEvaluator.calibrated(space, w, eval, calibration, QualityEvaluator.DEFAULT_CACHE_BYTES)) {
                double rtn = q.measure(uniform(arch.linearTensors(), "int3g32")).klNatsPerToken();
                double gptq = q.measure(uniform(arch.linearTensors(), "int3g32+gptq")).klNatsPerToken();
                assertTrue(gptq < 0.9 * rtn, "GPTQ KL " + gptq + " vs round-to-nearest " + rtn);
            }
        }
    }

    @Test
    void gptqOptionWithoutCalibrationTextIsRejected() throws Exception {
        try (ModelWeights w = Llama2cCheckpoint.open(MODELS.resolve("stories260K.bin").toString())) {
            SearchSpace space = SearchSpace.perTensor(w.architecture(), List.of(TensorChoice.parse("Q4_0+gptq")));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> QualityEvaluator.calibrated(space, w, List.of(new int[] {1, 2, 3}), List.of(), 1 << 20));
            assertTrue(e.getMessage().contains("calibration"));
        }
    }

    /** Every block tensor in {@code label}; the (tied) embedding stays Q8_0 in both arms. */
    private static Map<String, TensorChoice> uniform(List<TensorSpec> tensors, String label) {
        Map<String, TensorChoice> m = new LinkedHashMap<>();
        for (TensorSpec t : tensors) m.put(t.name(), TensorChoice.parse(t.role() == TensorRole.EMBEDDING ? "Q8_0" : label));
        assertEquals(tensors.size(), m.size());
        return m;
    }
}
