package org.edgefront.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.edgefront.evaluators.quality.ForwardPass;
import org.edgefront.evaluators.quality.ForwardPasses;
import org.edgefront.jobs.CliRun;
import org.edgefront.jobs.TestPaths;
import org.edgefront.space.io.ModelLoader;
import org.edgefront.space.io.TextCorpus;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.tokenizer.Tokenizer;
import org.edgefront.space.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval --kld-base}: EdgeFront scores the windows of a llama-perplexity base file as llama-perplexity scores them
 * (BOS over each window's first token, predictions from position n_ctx / 2 on). The file here is written as
 * llama-perplexity writes it, from stories260K's tokens of the shared TinyStories text; the oracle tests against the real
 * llama-perplexity read its own files the same way ({@code PerplexityOracle}).
 */
class EvalKldBaseTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theWindowsSecondHalvesAreScoredFromBos() throws Exception {
        Path models = TestPaths.shared().resolve("models");
        String model = models.resolve("stories260K.bin").toString();
        String tokenizer = models.resolve("tok512.bin").toString();
        int ctx = 64;
        int chunks = 5;
        Tokenizer tok = Tokenizers.load(tokenizer, 512);
        List<String> paragraphs = TextCorpus.paragraphs(models.resolve("tinystories_val.txt").toString()).subList(0, 8);
        int[] stream = tok.encode(String.join("\n\n", paragraphs), true, false);
        assertTrue(stream.length >= ctx * chunks, "text long enough: " + stream.length);
        ByteBuffer b = ByteBuffer.allocate(20 + 4 * ctx * chunks + 100).order(ByteOrder.LITTLE_ENDIAN);
        b.put("_logits_".getBytes(StandardCharsets.US_ASCII)).putInt(ctx).putInt(512).putInt(chunks);
        for (int i = 0; i < ctx * chunks; i++) b.putInt(stream[i]);
        Path kld = Files.write(dir.resolve("base.kld"), b.array());

        CliRun r = CliRun.of("eval", "--model", model, "--tokenizer", tokenizer, "--kld-base", kld.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = JSON.readTree(r.out());
        assertEquals(chunks * (ctx - 1 - ctx / 2), n.get("tokens").asLong());
        assertEquals(ctx / 2, n.get("scored_from_position").asInt());

        double nll = 0;
        try (ModelWeights w = ModelLoader.open(model)) {
            ForwardPass pass = ForwardPasses.load(w);
            for (int c = 0; c < chunks; c++) {
                int[] s = java.util.Arrays.copyOfRange(stream, c * ctx, (c + 1) * ctx);
                s[0] = Tokenizer.BOS;
                float[][] lp = pass.logProbs(s);
                for (int p = ctx / 2; p < ctx - 1; p++) nll -= lp[p][s[p + 1]];
            }
        }
        nll /= chunks * (ctx - 1 - ctx / 2);
        // (the CLI batches the windows through its pass, here each runs alone: GEMM shapes differ in the last bits)
        assertEquals(nll, n.get("nll").asDouble(), 1e-6, "the second halves of the BOS-led windows");
        assertEquals(0.0, n.get("kl").asDouble(), 1e-12);
    }

    @Test
    void oneOfTextOrKldBaseAndAFileOfAnotherVocabularyIsRefusedByField() throws Exception {
        Path models = TestPaths.shared().resolve("models");
        String model = models.resolve("stories260K.bin").toString();
        String tokenizer = models.resolve("tok512.bin").toString();
        ByteBuffer b = ByteBuffer.allocate(20 + 4 * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.put("_logits_".getBytes(StandardCharsets.US_ASCII)).putInt(8).putInt(32000).putInt(1);
        for (int i = 0; i < 8; i++) b.putInt(i + 3);
        Path kld = Files.write(dir.resolve("other.kld"), b.array());
        CliRun other = CliRun.of("eval", "--model", model, "--tokenizer", tokenizer, "--kld-base", kld.toString());
        assertEquals(2, other.code(), other.err());
        assertTrue(other.err().contains("n_vocab") && other.err().contains(kld.toString()), other.err());
        CliRun both = CliRun.of("eval", "--model", model, "--tokenizer", tokenizer, "--kld-base", kld.toString(),
                "--text", models.resolve("tinystories_val.txt").toString());
        assertEquals(2, both.code(), both.err());
        assertTrue(both.err().contains("--kld-base"), both.err());
        CliRun neither = CliRun.of("eval", "--model", model, "--tokenizer", tokenizer);
        assertEquals(2, neither.code(), neither.err());
    }
}
