package org.edgefront.jobs.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.evaluators.quality.QualityReport;
import org.edgefront.jobs.run.SearchEvaluators;
import org.edgefront.jobs.spec.ChoicesFile;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.ModelLoader;
import org.edgefront.space.io.TextCorpus;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code edgefront eval}: perplexity, KL and top-1 agreement of a (compressed) model on real text. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Measure perplexity, mean per-token KL to the uncompressed model and top-1 agreement on text.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = Models.FORMATS + ".")
    String model;

    @Option(names = "--tokenizer", description = Models.TOKENIZER)
    String tokenizer;

    @Option(names = "--text", description = "Text; paragraphs separated by blank lines (required unless --kld-base is given).")
    String text;

    @Option(names = "--kld-base", paramLabel = "BASE.kld", description = "Instead of --text: the token windows of a llama-perplexity "
            + "--kl-divergence-base file, scored as llama-perplexity scores them (BOS over each window's first token, the second "
            + "half of each window scored), so that the figures are over the very tokens llama.cpp's are; --paragraphs, "
            + "--offset and --max-tokens do not apply.")
    String kldBase;

    @Option(names = "--paragraphs", defaultValue = "200", description = "Paragraphs to evaluate (default ${DEFAULT-VALUE}).")
    int paragraphs;

    @Option(names = "--offset", defaultValue = "0", description = "Paragraphs to skip first (default ${DEFAULT-VALUE}).")
    int offset;

    @Option(names = "--max-tokens", defaultValue = "512", description = "Tokens per paragraph incl. BOS (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--config", paramLabel = "CHOICES.yaml", description = "Per-tensor compression (default: uncompressed).")
    String config;

    @Option(names = "--imatrix", paramLabel = "IMATRIX.gguf", description = "A llama.cpp importance matrix (GGUF) that the config's "
            + "+imatrix choices are rounded with, as llama-quantize --imatrix rounds them: simulates a file quantized with it.")
    String imatrix;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (paragraphs < 1) throw new InvalidInputException("-", "--paragraphs", "must be >= 1");
        if (offset < 0) throw new InvalidInputException("-", "--offset", "must be >= 0");
        if (maxTokens < 2) throw new InvalidInputException("-", "--max-tokens", "must be >= 2");
        if ((text == null) == (kldBase == null)) throw new InvalidInputException("-", "--text", "give exactly one of --text and --kld-base");
        String tokenizerUri = Models.tokenizerFor(model, tokenizer);
        long start = System.nanoTime();
        try (ModelWeights w = ModelLoader.open(model)) {
            ModelArchitecture arch = w.architecture();
            Map<String, TensorChoice> choices = config == null
                    ? new ChoicesFile(1, "F32", null).resolve("-", arch) : ChoicesFile.load(config, arch);
            org.edgefront.space.tokenizer.Tokenizer tok = org.edgefront.space.tokenizer.Tokenizers.load(tokenizerUri, arch.vocabSize());
            List<int[]> seqs;
            int scoredFrom = 0;
            if (kldBase != null) {
                org.edgefront.space.io.LlamaKldBase base = org.edgefront.space.io.LlamaKldBase.read(kldBase, new org.apache.hadoop.conf.Configuration());
                if (base.vocabSize() != arch.vocabSize()) {
                    throw new InvalidInputException(kldBase, "n_vocab", base.vocabSize() + " tokens, but " + model + " has a vocabulary of " + arch.vocabSize());
                }
                if (base.contextTokens() > arch.maxSeqLen()) {
                    throw new InvalidInputException(kldBase, "n_ctx", "windows of " + base.contextTokens() + " tokens are longer than the model's context of " + arch.maxSeqLen());
                }
                seqs = base.windows(tok.addsBos(), tok.bosId());
                scoredFrom = base.firstScoredPosition();
            } else {
                List<String> all = TextCorpus.paragraphs(text);
                if (offset + paragraphs > all.size()) {
                    throw new InvalidInputException(text, "--paragraphs", "asked for " + paragraphs + " paragraphs after " + offset
                            + " but the text has " + all.size());
                }
                seqs = TextCorpus.encode(tok, all.subList(offset, offset + paragraphs), Math.min(maxTokens, arch.maxSeqLen()));
            }
            SearchSpace space = SearchSpace.perTensor(arch, new ArrayList<>(new LinkedHashSet<>(choices.values())));
            Map<String, float[]> importance = imatrix == null ? null : org.edgefront.space.io.ImatrixFile.read(imatrix, new org.apache.hadoop.conf.Configuration());
            for (Map.Entry<String, TensorChoice> c : choices.entrySet()) {
                if (!c.getValue().importanceWeighted()) continue;
                String where = config == null ? "-" : config;
                if (importance == null) {
                    throw new InvalidInputException(where, "tensors." + c.getKey(), "'" + c.getValue().label() + "' is rounded with an importance matrix: give it with --imatrix");
                }
                float[] v = importance.get(c.getKey());
                if (v == null || v.length != arch.tensor(c.getKey()).cols()) {
                    throw new InvalidInputException(imatrix, c.getKey(), v == null ? "no entry for this tensor, which the config rounds with the matrix"
                            : v.length + " values for a tensor of " + arch.tensor(c.getKey()).cols() + " columns");
                }
            }
            QualityReport q;
            try (QualityEvaluator e = QualityEvaluator.scoringFrom(space, w, seqs, SearchEvaluators.inProcessPassThreads(), importance, scoredFrom)) {
                q = e.measure(choices);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (json) {
                ObjectNode n = JsonOut.object();
                n.put("model", model);
                n.put("synthetic", arch.synthetic());
                n.put("paragraphs", seqs.size());
                if (kldBase != null) n.put("scored_from_position", scoredFrom);
                n.put("tokens", q.tokens());
                n.put("perplexity", q.perplexity());
                n.put("nll", Math.log(q.perplexity()));
                n.put("kl", q.klNatsPerToken());
                n.put("top1_agreement", q.top1Agreement());
                n.put("elapsed_s", seconds);
                JsonOut.print(System.out, n);
            } else {
                System.out.printf("%s on %d %s (%d predicted tokens): perplexity %.4f, KL %.6f nats/token, top-1 agreement %.4f (%.1f s)%n",
                        arch.name(), seqs.size(), kldBase != null ? "llama-perplexity windows" : "paragraphs", q.tokens(), q.perplexity(),
                        q.klNatsPerToken(), q.top1Agreement(), seconds);
            }
        }
        return 0;
    }
}
