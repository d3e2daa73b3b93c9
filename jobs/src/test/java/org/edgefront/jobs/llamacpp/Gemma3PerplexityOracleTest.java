package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.evaluators.quality.ForwardPass;
import org.edgefront.evaluators.quality.ForwardPasses;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.export.GgufExport;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.io.GgufFile;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real llama.cpp as the oracle of EdgeFront's Gemma 3 support: a tiny random Gemma 3 (six layers, five local with a
 * 64-token sliding window and RoPE base 10000, then one global at base 1e6; heads x head size 4 x 32 on a width of 64, as
 * Gemma-3-1B has 4 x 256 on 1152; tied embeddings; q/k and sandwich norms) is exported as an F32 {@code gemma3} GGUF with stories260K's tok512 tokenizer, and its perplexity computed twice on the same tokens:
 * by {@code llama-perplexity} (its own tokenization of TinyStories, chunks of 128 tokens with BOS first, the second
 * half of each chunk scored) and by EdgeFront's forward pass on the GGUF read back, over the very token ids
 * llama-perplexity used (read from the {@code --kl-divergence-base} file it writes: {@code _logits_}, n_ctx, n_vocab,
 * n_chunk, then the tokens). The chunks of 128 tokens are twice the window, so the local layers' mask is tested. Agreement
 * needs every part right at once: the GGUF names and keys, the embedding scale, the q/k norms' order on disk and the norm
 * before RoPE, NeoX RoPE at the local and global bases, the window, the post-attention and post-FFN norms, the GELU gate,
 * and the tied head.
 */
@Tag("llamacpp")
class Gemma3PerplexityOracleTest {
    private static final int CTX = 128;
    private static final int CHUNKS = 4;
    /**
     * |ln PPL| difference allowed: both sides compute in float32 over the same tokens, so only summation order differs
     * (ggml's matrix kernels vs ND4J and Java loops), and ggml's CPU GELU, which reads an FP16 table where EdgeFront
     * computes the tanh formula exactly; llama.cpp prints the perplexity to four decimals.
     */
    private static final double NLL_TOLERANCE = 2e-4;

    @TempDir
    Path dir;

    @Test
    void llamaPerplexityAndEdgeFrontAgreeOnATinyGemma3GgufBeyondItsSlidingWindow() throws Exception {
        Path bin = LlamaCppTools.bin();
        Path models = TestPaths.shared().resolve("models");
        Path gguf = dir.resolve("gemma3-tiny-f32.gguf");
        try (ModelWeights w = SyntheticLlama.create(new SyntheticLlama.Shape(64, 128, 6, 4, 2, 512, 256, true), 17,
                ArchitectureFamily.GEMMA3, 32)) {
            // the window must be shorter than the evaluated chunks, and layer 5 global, for the test to cover both
            assertEquals(64, w.architecture().slidingWindow().tokens());
            assertTrue(w.architecture().slidingWindow().isLocal(0) && !w.architecture().slidingWindow().isLocal(5));
            Map<String, TensorChoice> f32 = new LinkedHashMap<>();
            for (TensorSpec t : w.architecture().linearTensors()) f32.put(t.name(), TensorChoice.parse("F32"));
            GgufExport.write("gemma3-oracle", w, f32, models.resolve("tok512.bin").toString(), gguf.toString());
        }
        Path base = dir.resolve("base.kld");
        String log = LlamaCppTools.runOk(dir.resolve("perplexity.log"), 300, List.of(bin.resolve("llama-perplexity").toString(),
                "-m", gguf.toString(), "-f", models.resolve("tinystories_val.txt").toString(), "-c", String.valueOf(CTX),
                "--chunks", String.valueOf(CHUNKS), "-b", String.valueOf(CTX), "-t", "2", "--kl-divergence-base", base.toString()));
        String tail = log.substring(Math.max(0, log.length() - 3000));
        assertTrue(log.contains("calculating perplexity over " + CHUNKS + " chunks, n_ctx=" + CTX), tail);
        assertEquals("gemma3", GgufFile.header(gguf.toString(), new Configuration()).strings().get("general.architecture"));
        // the running perplexity of the last chunk the log shows: llama.cpp's logger thread may drop the last lines at exit,
        // so the comparison covers the chunks the log reports (at least two of the four)
        double[] scored = llamaCppMeanNll(log, tail);
        double llamaNll = scored[1];
        int scoredChunks = (int) scored[0];

        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(base)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        b.get(magic);
        assertEquals("_logits_", new String(magic, StandardCharsets.US_ASCII));
        assertEquals(CTX, b.getInt());
        assertEquals(512, b.getInt());
        int chunks = b.getInt();
        assertEquals(CHUNKS, chunks);
        GgufFile.HeaderSummary h = GgufFile.header(gguf.toString(), new Configuration());
        boolean addBos = h.numbers().getOrDefault("tokenizer.ggml.add_bos_token", 1.0) != 0;
        int bos = h.numbers().get("tokenizer.ggml.bos_token_id").intValue();
        List<int[]> seqs = new ArrayList<>();
        for (int c = 0; c < chunks; c++) {
            int[] s = new int[CTX];
            for (int i = 0; i < CTX; i++) s[i] = b.getInt();
            if (addBos) s[0] = bos; // llama-perplexity puts BOS over each chunk's first token (and stores the original)
            seqs.add(s);
        }

        double nll = 0;
        int count = 0;
        try (ModelWeights back = GgufFile.open(gguf.toString())) {
            ModelArchitecture a = back.architecture();
            assertEquals(ArchitectureFamily.GEMMA3, a.family());
            assertEquals(128, a.qDim());
            assertEquals(64, a.slidingWindow().tokens());
            ForwardPass pass = ForwardPasses.load(back);
            for (int[] s : seqs.subList(0, scoredChunks)) {
                float[][] lp = pass.logProbs(s);
                // llama-perplexity scores positions first .. n_ctx - 2 predicting the next token, first = n_ctx / 2
                for (int p = CTX / 2; p < CTX - 1; p++) {
                    nll -= lp[p][s[p + 1]];
                    count++;
                }
            }
        }
        double edgefrontNll = nll / count;
        System.out.printf("gemma3 oracle: llama-perplexity PPL %.6f (mean NLL %.6f), EdgeFront PPL %.6f (mean NLL %.6f), %d tokens%n",
                Math.exp(llamaNll), llamaNll, Math.exp(edgefrontNll), edgefrontNll, count);
        assertEquals(llamaNll, edgefrontNll, NLL_TOLERANCE, "mean NLL over " + count + " scored tokens; llama.cpp log tail:\n" + tail);
        // and the CLI's eval runs the same file with the tokenizer it carries (EdgeFront's own paragraphs and tokenization)
        com.fasterxml.jackson.databind.JsonNode eval = LlamaCppTools.eval128("--model", gguf.toString());
        assertTrue(Double.isFinite(eval.get("nll").asDouble()) && eval.get("nll").asDouble() > 0, eval.toString());
    }

    /**
     * {chunks, mean NLL} from llama-perplexity's log: the final estimate over all chunks when printed, else the running
     * perplexity of the last chunk line {@code [k]ppl,} (four decimals) over chunks 1..k.
     */
    private static double[] llamaCppMeanNll(String log, String tail) {
        Matcher fin = Pattern.compile("Final estimate: PPL = (\\S+)").matcher(log);
        if (fin.find()) return new double[] {CHUNKS, Math.log(Double.parseDouble(fin.group(1)))};
        Matcher m = Pattern.compile("\\[(\\d+)\\](\\d+\\.\\d+),").matcher(log);
        int k = 0;
        double ppl = Double.NaN;
        while (m.find()) {
            k = Integer.parseInt(m.group(1));
            ppl = Double.parseDouble(m.group(2));
        }
        assertTrue(k >= 2, "fewer than two chunk perplexities in the log:\n" + tail);
        return new double[] {k, Math.log(ppl)};
    }
}
