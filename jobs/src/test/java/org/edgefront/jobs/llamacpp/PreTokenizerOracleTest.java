package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.tokenizer.GgufTokenizers;
import org.edgefront.space.tokenizer.Tokenizer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real llama.cpp as the oracle of every byte-level pre-tokenizer EdgeFront accepts by name: llama.cpp's test
 * vocabularies cover only some of the names {@code tokenizer.ggml.pre} may hold, so the GPT-2 test vocabulary is written
 * again under each name ({@code tokenizer.ggml.pre} replaced, nothing else) and {@code llama-tokenize} tokenizes the
 * texts of llama.cpp's tokenizer tests plus multilingual, digit, case and whitespace texts with it. Each text is
 * tokenized on its own: they go to llama-tokenize in one file separated by {@code <|endoftext|>}, a token llama.cpp
 * splits the text at before pre-tokenizing, and the ids come back split there. The system property
 * {@code edgefront.pretokenizer.text} adds every non-blank line of a text file (for a manual run on a whole corpus).
 */
@Tag("llamacpp")
class PreTokenizerOracleTest {
    private static final String EOT = "<|endoftext|>";
    private static final int EOT_ID = 50256;
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";
    /** Texts that reach the branches the test vectors do not: scripts, camel case, digit runs, unusual spaces. */
    private static final List<String> EXTRA = List.of(
            "日本語のテキストとカタカナ、ひらがな。", "한국어 텍스트 123456 ㄱㄴㄷ", "中文文本，标点。", "Привет, мир! Ёлка",
            "مرحبا بالعالم، ١٢٣", "नमस्ते दुनिया।", "HelloWorld camelCase XMLHttpRequest iPhone", "1234567 digits 3.14159 1,000,000",
            "tabs\tand\nnewlines\r\n and  double  spaces   ", "emoji 🦙🚀 and ZWJ 👩‍💻", "a\u3000b\u00a0c\u2009d", "e\u0301 combining ﬁ ligature",
            "don't I'LL WE'VE they'Re", "$100+<=>^~|` symbols ±§", "12\u066345 mixed and 1234 digits 123456789", "  leading and trailing  ", "\n\n\nthree newlines\n", "x=[1,2];//c", "Ωμέγα ελληνικά",
            "<sentinel:12> IMGIMGABCZ tab\tpad    four");

    @Test
    void everyNamedByteLevelPreTokenizerTokenizesAsLlamaCpp(@TempDir Path dir) throws Exception {
        Path bin = LlamaCppTools.bin();
        Path models = bin.getParent().resolve("src").resolve("models");
        Path gpt2 = models.resolve("ggml-vocab-gpt-2.gguf");
        Set<String> texts = new LinkedHashSet<>();
        for (String vocab : List.of("gpt-2", "qwen35", "deepseek-llm")) {
            String[] inputs = Files.readString(models.resolve("ggml-vocab-" + vocab + ".gguf.inp"), StandardCharsets.UTF_8).split(SEPARATOR, -1);
            for (String t : inputs) {
                if (t.endsWith(SEPARATOR.stripTrailing())) t = t.substring(0, t.length() - SEPARATOR.stripTrailing().length());
                if (!t.isEmpty() && !t.contains(EOT)) texts.add(t);
            }
        }
        texts.addAll(EXTRA);
        // a manual run may add every line of a text file (e.g. -Dedgefront.pretokenizer.text=../shared/models/wiki.test.raw)
        String extraFile = System.getProperty("edgefront.pretokenizer.text");
        if (extraFile != null && !extraFile.isBlank()) {
            for (String line : Files.readAllLines(Path.of(extraFile), StandardCharsets.UTF_8)) {
                String t = line.strip();
                if (!t.isEmpty() && !t.contains(EOT)) texts.add(t);
            }
        }
        List<String> all = new ArrayList<>(texts);
        Path input = dir.resolve("texts.txt");
        Files.writeString(input, String.join(EOT, all), StandardCharsets.UTF_8);
        byte[] source = Files.readAllBytes(gpt2);

        List<String> wrong = new ArrayList<>();
        int names = 0;
        for (String pre : GgufTokenizers.preTokenizerNames()) {
            Path vocab = dir.resolve("vocab-" + pre + ".gguf");
            Files.write(vocab, withPreTokenizer(source, pre));
            String out = LlamaCppTools.runOk(dir.resolve("tokenize-" + pre + ".log"), 120, List.of(bin.resolve("llama-tokenize").toString(),
                    "-m", vocab.toString(), "-f", input.toString(), "--ids", "--no-bos", "--no-escape", "--log-disable")).strip();
            List<int[]> expected = splitAtEot(out.substring(out.lastIndexOf('[')));
            assertEquals(all.size(), expected.size(), pre + ": llama-tokenize's output splits into " + expected.size() + " texts");
            Tokenizer t = GgufTokenizers.load(vocab.toString(), new Configuration());
            int ok = 0;
            for (int i = 0; i < all.size(); i++) {
                int[] got = t.encode(all.get(i), false, false);
                if (Arrays.equals(expected.get(i), got)) ok++;
                else wrong.add(pre + " '" + all.get(i).replace("\n", "\\n") + "': llama.cpp " + Arrays.toString(expected.get(i)) + " EdgeFront " + Arrays.toString(got));
            }
            System.out.printf("%s: %d of %d texts tokenized as llama.cpp%n", pre, ok, all.size());
            names++;
        }
        assertTrue(names >= 70, "pre-tokenizer names checked: " + names);
        assertEquals(List.of(), wrong);
    }

    /**
     * WordPiece beyond llama.cpp's vectors for it (which hold no Hangul, accented capitals or ligatures): each text of
     * {@link #EXTRA} through {@code llama-tokenize} with the BERT test vocabulary, one call a text.
     */
    @Test
    void wordPieceTokenizesScriptsAccentsAndLigaturesAsLlamaCpp(@TempDir Path dir) throws Exception {
        Path bin = LlamaCppTools.bin();
        Path bert = bin.getParent().resolve("src").resolve("models").resolve("ggml-vocab-bert-bge.gguf");
        Tokenizer t = GgufTokenizers.load(bert.toString(), new Configuration());
        List<String> texts = new ArrayList<>(EXTRA);
        texts.add("\ud55c\uad6d\uc5b4 \u1e08af\u00e9 na\u00efve \u2126mega \ufb01");
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            Path input = dir.resolve("text-" + i + ".txt");
            Files.writeString(input, texts.get(i), StandardCharsets.UTF_8);
            String out = LlamaCppTools.runOk(dir.resolve("bert-" + i + ".log"), 60, List.of(bin.resolve("llama-tokenize").toString(),
                    "-m", bert.toString(), "-f", input.toString(), "--ids", "--no-bos", "--no-escape", "--log-disable")).strip();
            String list = out.substring(out.lastIndexOf('[') + 1, out.lastIndexOf(']')).trim();
            int[] expected = list.isEmpty() ? new int[0] : Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            int[] got = t.encode(texts.get(i), false, false);
            if (!Arrays.equals(expected, got)) wrong.add("'" + texts.get(i) + "': llama.cpp " + Arrays.toString(expected) + " EdgeFront " + Arrays.toString(got));
        }
        System.out.printf("bert-bge: %d of %d extra texts tokenized as llama.cpp%n", texts.size() - wrong.size(), texts.size());
        assertEquals(List.of(), wrong);
        // with its special tokens, as llama.cpp starts and ends a WordPiece text: [CLS] ... [SEP] (the file's separator id)
        Path hello = dir.resolve("hello.txt");
        Files.writeString(hello, "hello world", StandardCharsets.UTF_8);
        String out = LlamaCppTools.runOk(dir.resolve("bert-special.log"), 60, List.of(bin.resolve("llama-tokenize").toString(),
                "-m", bert.toString(), "-f", hello.toString(), "--ids", "--no-escape", "--log-disable")).strip();
        assertEquals(out.substring(out.lastIndexOf('[')), Arrays.toString(t.encode("hello world", t.addsBos(), true)));
    }

    /** The ids of {@code [a, b, EOT, c]} as {@code [[a, b], [c]]}. */
    private static List<int[]> splitAtEot(String printed) {
        String inner = printed.substring(1, printed.lastIndexOf(']')).trim();
        int[] ids = inner.isEmpty() ? new int[0] : Arrays.stream(inner.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        List<int[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= ids.length; i++) {
            if (i == ids.length || ids[i] == EOT_ID) {
                out.add(Arrays.copyOfRange(ids, start, i));
                start = i + 1;
            }
        }
        return out;
    }

    /** The GGUF bytes with the string value of {@code tokenizer.ggml.pre} replaced by {@code pre}. */
    static byte[] withPreTokenizer(byte[] gguf, String pre) {
        byte[] key = "tokenizer.ggml.pre".getBytes(StandardCharsets.UTF_8);
        ByteBuffer pattern = ByteBuffer.allocate(8 + key.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        pattern.putLong(key.length).put(key).putInt(8);   // key length, key, value type string
        int at = indexOf(gguf, pattern.array());
        assertTrue(at > 0, "no string tokenizer.ggml.pre in the vocabulary file");
        int valueAt = at + pattern.capacity();
        long oldLength = ByteBuffer.wrap(gguf, valueAt, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] value = pre.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(gguf.length + value.length);
        out.write(gguf, 0, valueAt);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value.length).array());
        out.writeBytes(value);
        int rest = Math.toIntExact(valueAt + 8 + oldLength);
        out.write(gguf, rest, gguf.length - rest);
        return out.toByteArray();
    }

    /** Where {@code needle} starts in {@code haystack}, or -1 (Latin-1 maps each byte to one char, so this is byte-exact). */
    private static int indexOf(byte[] haystack, byte[] needle) {
        return new String(haystack, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf(new String(needle, java.nio.charset.StandardCharsets.ISO_8859_1));
    }
}
