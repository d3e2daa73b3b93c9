package org.edgefront.space.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorRole;
import org.junit.jupiter.api.Test;

class Llama2cCheckpointTest {
    private static final String MODEL = SharedModels.file("stories260K.bin");

    @Test
    void stories260kHeaderGivesItsArchitecture() throws Exception {
        try (ModelWeights w = Llama2cCheckpoint.open(MODEL)) {
            ModelArchitecture a = w.architecture();
            assertEquals("stories260K", a.name());
            assertEquals(ArchitectureFamily.LLAMA, a.family());
            assertEquals(64, a.dim());
            assertEquals(172, a.hiddenDim());
            assertEquals(5, a.layers());
            assertEquals(8, a.heads());
            assertEquals(4, a.kvHeads());
            assertEquals(512, a.vocabSize());
            assertEquals(512, a.maxSeqLen());
            assertTrue(a.tiedEmbeddings());
            assertFalse(a.synthetic());
            assertEquals(1e-5, a.normEps());
            assertEquals(10000.0, a.ropeTheta());
            assertEquals(32, a.kvDim());
            // embedding + 5 x 7 block tensors, no LM head when tied
            assertEquals(36, a.linearTensors().size());
            assertEquals(32, a.tensor("blk.0.attn_k.weight").rows());
            assertEquals(64, a.tensor("blk.0.attn_k.weight").cols());
            assertEquals(TensorRole.DOWN, a.tensor("blk.4.ffn_down.weight").role());
            assertEquals(172, a.tensor("blk.4.ffn_down.weight").cols());
        }
    }

    @Test
    void parameterCountMatchesHandCount() throws Exception {
        try (ModelWeights w = Llama2cCheckpoint.open(MODEL)) {
            // 512*64 embedding + 5 * (64*64*2 + 32*64*2 + 3*172*64) = 32768 + 226560
            assertEquals(259_328, w.architecture().linearParameterCount());
            assertEquals(259_328 + 11 * 64, w.architecture().parameterCount());
            // and every tensor read has exactly its spec's size: the file layout adds up
            long read = 0;
            for (String name : w.tensorNames()) read += w.read(name).length;
            assertEquals(w.architecture().parameterCount(), read);
            // the file holds exactly those floats plus freq_cis (2 x 512 x 4) and the 28-byte header
            assertEquals(1_056_540, 28 + 4 * (read + 2 * 512 * 4));
        }
    }

    @Test
    void weightValuesMatchAnIndependentNumpyRead() throws Exception {
        // reference values read with numpy.fromfile at hand-computed offsets
        try (ModelWeights w = Llama2cCheckpoint.open(MODEL)) {
            float[] e = w.read("token_embd.weight");
            assertEquals(-0.29474878f, e[0]);
            assertEquals(0.5618956f, e[1]);
            assertEquals(0.025490846f, e[100 * 64 + 7]);
            assertEquals(-0.27966586f, w.read("blk.2.attn_k.weight")[3 * 64 + 5]);
            assertEquals(-0.09656164f, w.read("blk.4.ffn_down.weight")[10 * 172 + 171]);
            assertEquals(0.15181284f, w.read("blk.1.ffn_up.weight")[171 * 64 + 63]);
            assertEquals(2.458309f, w.read("output_norm.weight")[0]);
            assertEquals(0.88420784f, w.read("blk.3.ffn_norm.weight")[1]);
            double sum = 0;
            for (float v : w.read("blk.0.attn_q.weight")) sum += v;
            assertEquals(-23.827822908671806, sum, 1e-4);
        }
    }

    @Test
    void fileUriAndPlainPathReadTheSameWeights() throws Exception {
        String uri = new File(MODEL).getAbsoluteFile().toURI().toString();
        assertTrue(uri.startsWith("file:"));
        try (ModelWeights a = Llama2cCheckpoint.open(MODEL); ModelWeights b = Llama2cCheckpoint.open(uri)) {
            assertEquals(a.architecture(), b.architecture());
            assertArrayEquals(a.read("blk.3.attn_v.weight"), b.read("blk.3.attn_v.weight"));
        }
    }

    @Test
    void unknownTensorNameIsAnIllegalArgument() throws Exception {
        try (ModelWeights w = Llama2cCheckpoint.open(MODEL)) {
            assertThrows(IllegalArgumentException.class, () -> w.read("output.weight"));
        }
    }
}
