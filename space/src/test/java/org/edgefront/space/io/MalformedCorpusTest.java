package org.edgefront.space.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.tokenizer.Llama2cTokenizer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Every file of the malformed-input corpus (resources/malformed, made by make_corpus.py) is rejected
 * with an InvalidInputException that names the file and a field; the well-formed controls made by the
 * same generators load, so each rejection is due to its fault.
 */
class MalformedCorpusTest {

    static Path resource(String name) throws Exception {
        return Path.of(MalformedCorpusTest.class.getResource("/" + name).toURI());
    }

    /** One configuration for the many opens in these tests (building one costs ~5 ms). */
    static final org.apache.hadoop.conf.Configuration CONF = new org.apache.hadoop.conf.Configuration();

    /** Opens an input the way its kind is opened in production, reading every tensor. */
    static void load(String kind, Path p) throws Exception {
        switch (kind) {
            case "safetensors" -> {
                try (SafetensorsFile f = SafetensorsFile.open(p.toString(), CONF)) {
                    for (String n : f.tensors().keySet()) f.read(n);
                }
            }
            case "tokenizer-v4" -> Llama2cTokenizer.load(p.toString(), 4, CONF);
            default -> {
                try (ModelWeights w = ModelLoader.open(p.toString(), CONF)) {
                    for (String n : w.tensorNames()) w.read(n);
                }
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyMalformedInputIsRejectedNamingFileAndField() throws Exception {
        Path root = resource("malformed");
        List<Path> inputs;
        try (Stream<Path> kinds = Files.list(root)) {
            inputs = kinds.filter(Files::isDirectory).sorted().flatMap(k -> {
                try (Stream<Path> s = Files.list(k)) {
                    return s.sorted().collect(Collectors.toList()).stream();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).collect(Collectors.toList());
        }
        assertTrue(inputs.size() >= 50, "corpus has " + inputs.size() + " inputs");
        return inputs.stream().map(p -> {
            String kind = p.getParent().getFileName().toString();
            Executable check = () -> {
                InvalidInputException e = assertThrows(InvalidInputException.class, () -> load(kind, p));
                assertTrue(e.file().contains(p.getFileName().toString()), "file " + e.file() + " for " + p);
                assertFalse(e.field() == null || e.field().isBlank(), "field for " + p);
                assertTrue(e.getMessage().startsWith(e.file() + ": "), e.getMessage());
            };
            return DynamicTest.dynamicTest(kind + "/" + p.getFileName(), check);
        });
    }

    @Test
    void wellFormedControlsLoad() throws Exception {
        Path ok = resource("wellformed");
        load("llama2c", ok.resolve("llama2c-ok.bin"));
        load("tokenizer-v4", ok.resolve("tokenizer-v4-ok.bin"));
        load("hf", ok.resolve("hf-ok"));
        try (ModelWeights w = ModelLoader.open(ok.resolve("hf-ok").toString())) {
            assertEquals(8, w.architecture().dim());
        }
    }
}
