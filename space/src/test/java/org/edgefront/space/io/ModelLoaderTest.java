package org.edgefront.space.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoaderTest {
    @TempDir
    Path dir;

    @Test
    void llama2cFileIsDetected() throws Exception {
        try (ModelWeights w = ModelLoader.open(SharedModels.file("stories260K.bin"))) {
            assertEquals("stories260K", w.architecture().name());
        }
    }

    @Test
    void huggingFaceDirectoryAndItsConfigFileAreDetected() throws Exception {
        String out = dir.resolve("hf").toString();
        SyntheticLlama.writeHuggingFace(SyntheticLlama.tiny(1), out, "BF16", 1);
        try (ModelWeights a = ModelLoader.open(out); ModelWeights b = ModelLoader.open(out + "/config.json")) {
            assertEquals(a.architecture(), b.architecture());
            assertTrue(a.architecture().synthetic());
        }
    }

    @Test
    void loneSafetensorsFileAsksForItsDirectory() throws Exception {
        String out = dir.resolve("hf").toString();
        SyntheticLlama.writeHuggingFace(SyntheticLlama.tiny(1), out, "F16", 1);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelLoader.open(out + "/model.safetensors"));
        assertTrue(e.getMessage().contains("directory"), e.getMessage());
    }

    @Test
    void directoryWithoutConfigIsRejected() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelLoader.open(dir.toString()));
        assertEquals("config.json", e.field());
    }

    @Test
    void unknownUriSchemeIsInvalidInput() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelLoader.open("nosuchfs://bucket/model.bin"));
        assertEquals("scheme", e.field());
    }

    @Test
    void missingPathIsRejected() {
        assertThrows(InvalidInputException.class, () -> ModelLoader.open(dir.resolve("none").toString()));
    }

    @Test
    void llama2cWriteThenReadRoundTripsExactly() throws Exception {
        SyntheticLlama m = SyntheticLlama.tiny(11);
        String out = dir.resolve("tiny.bin").toString();
        SyntheticLlama.writeLlama2c(m, out);
        try (ModelWeights w = ModelLoader.open(out)) {
            ModelArchitecture a = w.architecture();
            assertEquals(m.architecture().linearTensors(), a.linearTensors());
            assertEquals("tiny", a.name());
            assertFalse(a.synthetic()); // the llama2.c format cannot carry the label
            for (String name : m.tensorNames()) assertArrayEquals(m.read(name), w.read(name), name);
        }
    }

    @Test
    void stories260kRewrittenAsLlama2cKeepsEveryWeightAndTheFileSize() throws Exception {
        String out = dir.resolve("copy.bin").toString();
        try (ModelWeights orig = Llama2cCheckpoint.open(SharedModels.file("stories260K.bin"))) {
            Llama2cWriter.write(orig, out);
            assertEquals(Files.size(Path.of(SharedModels.file("stories260K.bin"))), Files.size(Path.of(out)));
            try (ModelWeights copy = Llama2cCheckpoint.open(out)) {
                for (String name : orig.tensorNames()) assertArrayEquals(orig.read(name), copy.read(name), name);
            }
        }
    }

    @Test
    void stories260kConvertedToHuggingFaceReadsBackTheSameWeights() throws Exception {
        String out = dir.resolve("stories-hf").toString();
        try (ModelWeights orig = Llama2cCheckpoint.open(SharedModels.file("stories260K.bin"))) {
            HuggingFaceWriter.write(orig, out, StorageType.F32, 1);
            try (ModelWeights hf = ModelLoader.open(out)) {
                assertEquals("stories260K", hf.architecture().name());
                assertFalse(hf.architecture().synthetic());
                for (String name : orig.tensorNames()) assertArrayEquals(orig.read(name), hf.read(name), name);
            }
        }
    }

    @Test
    void ggufMagicIsRecognized() throws Exception {
        Path p = dir.resolve("m.bin");
        Files.write(p, new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0});
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelLoader.open(p.toString()));
        assertEquals(p.toString(), e.file());
        assertTrue(e.getMessage().contains("GGUF"), e.getMessage());
    }
}
