package org.edgefront.jobs.llamacpp;

import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.jobs.export.GgufExport;
import java.util.Map;
import java.util.LinkedHashMap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.evaluators.quality.ForwardPass;
import org.edgefront.evaluators.quality.ForwardPasses;
import org.edgefront.jobs.TestPaths;
import org.edgefront.space.io.GgufFile;
import org.edgefront.space.io.LlamaKldBase;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;

/**
 * The real llama-perplexity and EdgeFront's forward pass on the same GGUF and the same token ids: llama-perplexity runs
 * over the shared TinyStories text with {@code --kl-divergence-base}, whose file holds the tokens of every chunk
 * ({@code _logits_}, n_ctx, n_vocab, n_chunk, then the tokens); EdgeFront scores those tokens as llama-perplexity does
 * (BOS over each chunk's first token, positions n_ctx / 2 .. n_ctx - 2 predicting the next). The architecture oracle
 * tests share it.
 */
final class PerplexityOracle {
    private PerplexityOracle() {}

    /**
     * @param llamaNll     llama-perplexity's mean NLL over the chunks its log reports, nats per token
     * @param edgefrontNll EdgeFront's mean NLL over the same chunks' tokens
     * @param tokens       scored tokens
     * @param logTail      the end of llama-perplexity's log, for assertion messages
     * @param sequences    the chunks both sides scored, as EdgeFront ran them (BOS first), for {@link #nll} of a variant
     */
    record Result(double llamaNll, double edgefrontNll, int tokens, String logTail, List<int[]> sequences) {}

    /**
     * Runs both sides on {@code gguf} with a context of {@code ctx} tokens over {@code chunks} chunks; {@code check}
     * sees the architecture EdgeFront read back from the file before it runs.
     */
    static Result compare(Path dir, Path gguf, int ctx, int chunks, Consumer<ModelArchitecture> check) throws Exception {
        Path base = dir.resolve("base.kld");
        String log = LlamaCppTools.runOk(dir.resolve("perplexity.log"), 300, List.of(LlamaCppTools.bin().resolve("llama-perplexity").toString(),
                "-m", gguf.toString(), "-f", TestPaths.shared().resolve("models/tinystories_val.txt").toString(), "-c", String.valueOf(ctx),
                "--chunks", String.valueOf(chunks), "-b", String.valueOf(ctx), "-t", "2", "--kl-divergence-base", base.toString()));
        String tail = log.substring(Math.max(0, log.length() - 3000));
        assertTrue(log.contains("calculating perplexity over " + chunks + " chunks, n_ctx=" + ctx), tail);
        // the running perplexity of the last chunk the log shows: llama.cpp's logger thread may drop the last lines at
        // exit, so the comparison covers the chunks the log reports (at least two)
        int scoredChunks = chunks;
        double llamaNll;
        Matcher fin = Pattern.compile("Final estimate: PPL = (\\S+)").matcher(log);
        if (fin.find()) {
            llamaNll = Math.log(Double.parseDouble(fin.group(1)));
        } else {
            Matcher m = Pattern.compile("\\[(\\d+)\\](\\d+\\.\\d+),").matcher(log);
            scoredChunks = 0;
            double ppl = Double.NaN;
            while (m.find()) {
                scoredChunks = Integer.parseInt(m.group(1));
                ppl = Double.parseDouble(m.group(2));
            }
            assertTrue(scoredChunks >= 2, "fewer than two chunk perplexities in the log:\n" + tail);
            llamaNll = Math.log(ppl);
        }

        LlamaKldBase kld = LlamaKldBase.read(base.toString(), new Configuration());
        assertEquals(ctx, kld.contextTokens());
        int vocab = kld.vocabSize();
        assertEquals(chunks, kld.chunks().size());
        GgufFile.HeaderSummary h = GgufFile.header(gguf.toString(), new Configuration());
        boolean addBos = h.numbers().getOrDefault("tokenizer.ggml.add_bos_token", 1.0) != 0;
        int bos = h.numbers().get("tokenizer.ggml.bos_token_id").intValue();
        // llama-perplexity puts BOS over each chunk's first token (the file stores the original)
        List<int[]> seqs = kld.windows(addBos, bos);

        List<int[]> scored = seqs.subList(0, scoredChunks);
        try (ModelWeights back = GgufFile.open(gguf.toString())) {
            assertEquals(back.architecture().vocabSize(), vocab, "n_vocab of llama-perplexity's base file");
            check.accept(back.architecture());
            ForwardPass pass = ForwardPasses.load(back);
            return new Result(llamaNll, nll(pass, scored), scored.size() * (ctx - 1 - ctx / 2), tail, List.copyOf(scored));
        }
    }

    /** The mean NLL, nats per token, of {@code pass} over {@code sequences} scored as llama-perplexity scores its chunks. */
    static double nll(ForwardPass pass, List<int[]> sequences) {
        double nll = 0;
        int count = 0;
        for (int[] s : sequences) {
            int ctx = s.length;
            float[][] lp = pass.logProbs(s);
            for (int p = ctx / 2; p < ctx - 1; p++) {
                nll -= lp[p][s[p + 1]];
                count++;
            }
        }
        return nll / count;
    }

    /** {@code w}'s tensors under another architecture of the same shapes (closing it closes {@code w}): a variant to score. */
    static ModelWeights as(ModelWeights w, ModelArchitecture named) {
        return new ModelWeights() {
            @Override public ModelArchitecture architecture() { return named; }
            @Override public float[] read(String tensor) throws java.io.IOException { return w.read(tensor); }
            @Override public String source() { return w.source(); }
            @Override public void close() throws java.io.IOException { w.close(); }
        };
    }

    /**
     * {@code w} written as an F32 GGUF {@code dir/name} by {@code export --to gguf} with stories260K's tok512 tokenizer:
     * the file the architecture oracles run llama-perplexity on.
     */
    static Path f32Gguf(Path dir, String name, ModelWeights w) {
        Map<String, TensorChoice> f32 = new LinkedHashMap<>();
        for (TensorSpec t : w.architecture().linearTensors()) f32.put(t.name(), TensorChoice.parse("F32"));
        Path gguf = dir.resolve(name);
        GgufExport.write(name, w, f32, TestPaths.shared().resolve("models/tok512.bin").toString(), gguf.toString());
        return gguf;
    }

    /** Asserts that {@code gguf} declares {@code architecture} ({@code general.architecture}), the name llama.cpp loads it by. */
    static void assertArchitecture(Path gguf, String architecture) throws java.io.IOException {
        org.junit.jupiter.api.Assertions.assertEquals(architecture, org.edgefront.space.io.GgufFile.header(gguf.toString(),
                new org.apache.hadoop.conf.Configuration()).strings().get("general.architecture"));
    }
}
