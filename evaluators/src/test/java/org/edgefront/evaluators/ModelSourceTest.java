package org.edgefront.evaluators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a model URI opens: a named generated model with its seed, or a checkpoint file; and what it rejects. */
class ModelSourceTest {

    private static float[] firstTensor(ModelWeights w) throws IOException {
        return w.read(w.architecture().linearTensors().get(0).name());
    }

    @Test
    void theSeedInTheUriPicksTheGeneratedWeights() throws IOException {
        ModelSource s11 = new ModelSource("synthetic:tiny?seed=11");
        assertTrue(s11.synthetic());
        assertEquals(11L, s11.syntheticSeed());
        try (ModelWeights a = s11.open(); ModelWeights b = new ModelSource("synthetic:tiny?seed=11").open();
             ModelWeights c = new ModelSource("synthetic:tiny?seed=12").open()) {
            float[] wa = firstTensor(a);
            assertArrayEquals(wa, firstTensor(b), "same seed, same weights");
            assertFalse(Arrays.equals(wa, firstTensor(c)), "another seed, other weights");
        }
    }

    @Test
    void withoutASeedTheQuickstartSeedIsUsed() throws IOException {
        ModelSource plain = new ModelSource("synthetic:tiny");
        assertEquals(ModelSource.DEFAULT_SYNTHETIC_SEED, plain.syntheticSeed());
        try (ModelWeights a = plain.open();
             ModelWeights b = new ModelSource("synthetic:tiny?seed=" + ModelSource.DEFAULT_SYNTHETIC_SEED).open();
             ModelWeights other = new ModelSource("synthetic:tiny?seed=" + (ModelSource.DEFAULT_SYNTHETIC_SEED + 1)).open()) {
            assertArrayEquals(firstTensor(b), firstTensor(a));
            assertFalse(Arrays.equals(firstTensor(other), firstTensor(a)));
        }
    }

    /** Published config.json figures: dim, FFN width, layers, heads, KV heads, vocabulary. */
    private static void assertShape(ModelArchitecture a, ArchitectureFamily family, int dim, int ffn, int layers, int heads,
                                    int kvHeads, int vocab) {
        assertEquals(family, a.family(), a.name());
        assertEquals(dim, a.dim(), a.name() + " dim");
        assertEquals(ffn, a.hiddenDim(), a.name() + " ffn");
        assertEquals(layers, a.layers(), a.name() + " layers");
        assertEquals(heads, a.heads(), a.name() + " heads");
        assertEquals(kvHeads, a.kvHeads(), a.name() + " kv heads");
        assertEquals(vocab, a.vocabSize(), a.name() + " vocab");
        assertTrue(a.synthetic(), a.name() + " is labelled synthetic");
    }

    @Test
    void namedRealShapesOpenWithTheirPublishedDimensions() throws IOException {
        try (ModelWeights smol = new ModelSource("synthetic:smollm135m").open();
             ModelWeights tinyLlama = new ModelSource("synthetic:tinyllama1b?seed=3").open();
             ModelWeights phi = new ModelSource("synthetic:phi2").open();
             ModelWeights tiny = new ModelSource("synthetic:tiny").open()) {
            // HuggingFaceTB/SmolLM-135M, TinyLlama/TinyLlama-1.1B, microsoft/phi-2
            assertShape(smol.architecture(), ArchitectureFamily.LLAMA, 576, 1536, 30, 9, 3, 49152);
            assertShape(tinyLlama.architecture(), ArchitectureFamily.LLAMA, 2048, 5632, 22, 32, 4, 32000);
            assertShape(phi.architecture(), ArchitectureFamily.PHI2, 2560, 10240, 32, 32, 32, 51200);
            assertShape(tiny.architecture(), ArchitectureFamily.LLAMA, 64, 176, 4, 8, 4, 256);
        }
    }

    @Test
    void aPathOpensTheCheckpointFileItNames(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model.bin");
        try (ModelWeights written = SyntheticLlama.tiny(5)) {
            SyntheticLlama.writeLlama2c(written, file.toString());
            ModelSource source = new ModelSource(file.toString());
            assertFalse(source.synthetic());
            try (ModelWeights read = source.open()) {
                assertEquals(written.architecture().dim(), read.architecture().dim());
                assertEquals(written.architecture().layers(), read.architecture().layers());
                assertEquals(written.architecture().vocabSize(), read.architecture().vocabSize());
                // llama2.c stores float32: the same numbers come back
                assertArrayEquals(firstTensor(written), firstTensor(read));
            }
        }
    }

    @Test
    void anUnknownGeneratedModelIsBadInputListingTheKnownOnes() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new ModelSource("synthetic:gpt5?seed=1").open());
        assertEquals("model", e.field());
        assertEquals("synthetic:gpt5?seed=1", e.file());
        assertTrue(e.problem().contains("'gpt5'"), e.problem());
        for (String known : new String[] {"tiny", "smollm135m", "tinyllama1b", "phi2"}) {
            assertTrue(e.problem().contains(known), e.problem());
        }
    }

    @Test
    void aSeedThatIsNotAnIntegerIsBadInputNamingTheSeed() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new ModelSource("synthetic:tiny?seed=abc").syntheticSeed());
        assertEquals("seed", e.field());
        assertEquals("synthetic:tiny?seed=abc", e.file());
    }

    @Test
    void anEmptyPathIsBadInputNamingTheModel() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new ModelSource("  "));
        assertEquals("model", e.field());
        assertThrows(NullPointerException.class, () -> new ModelSource(null));
    }
}
