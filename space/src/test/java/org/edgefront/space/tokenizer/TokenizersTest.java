package org.edgefront.space.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizersTest {
    @TempDir
    Path dir;

    @Test
    void jsonFileOpensAsHuggingFaceTokenizer() throws Exception {
        Path p = dir.resolve("tokenizer.json");
        Files.writeString(p, HuggingFaceTokenizerTest.SENTENCEPIECE);
        Tokenizer t = Tokenizers.load(p.toString(), 17);
        assertInstanceOf(HuggingFaceTokenizer.class, t);
        assertArrayEquals(new int[] {1, 16}, t.encode("hello", true, false));
    }

    @Test
    void modelDirectoryOpensItsTokenizerJson() throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), HuggingFaceTokenizerTest.SENTENCEPIECE);
        Files.writeString(dir.resolve("config.json"), "{\"bos_token_id\": 1, \"eos_token_id\": 2}");
        assertEquals(1, Tokenizers.load(dir.toString(), 17).bosId());
    }

    @Test
    void otherFilesOpenAsLlama2cTokenizers() throws Exception {
        Path tok = Path.of(System.getProperty("edgefront.shared", "../shared")).resolve("models/tok512.bin");
        Tokenizer t = Tokenizers.load(tok.toString(), 512);
        assertInstanceOf(Llama2cTokenizer.class, t);
        assertEquals(512, t.vocabSize());
    }
}
