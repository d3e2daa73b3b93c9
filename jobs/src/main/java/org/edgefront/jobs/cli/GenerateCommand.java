package org.edgefront.jobs.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.edgefront.evaluators.quality.ForwardPass;
import org.edgefront.evaluators.quality.ForwardPasses;
import org.edgefront.evaluators.quality.TextSampler;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.jobs.run.SearchEvaluators;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.ModelLoader;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.tokenizer.Tokenizer;
import org.edgefront.space.tokenizer.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgefront generate}: text drawn from a checkpoint itself, paragraphs separated by blank lines, for the
 * {@code --text} of {@code eval}, {@code compare}, {@code profile} and searches when the model's own kind of text is
 * not at hand (a checkpoint trained on a private or narrow corpus): KL to the uncompressed model is then measured, and
 * GPTQ calibrated, on what the model actually writes. Same model, seed and options: the same file.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Write text sampled from the model itself (paragraphs separated by blank lines), as evaluation and "
                + "calibration text when the model's own kind of text is not at hand.")
final class GenerateCommand implements Callable<Integer> {
    /** Blank lines inside a drawn paragraph would split it when the file is read back. */
    private static final Pattern BLANK_LINES = Pattern.compile("\\n[ \\t]*(\\n[ \\t]*)+");

    @Option(names = "--model", required = true, description = Models.FORMATS + ".")
    String model;

    @Option(names = "--tokenizer", description = Models.TOKENIZER)
    String tokenizer;

    @Option(names = "--out", required = true, paramLabel = "FILE.txt", description = "Where to write the text (atomically; replaces the file).")
    String out;

    @Option(names = "--paragraphs", defaultValue = "64", description = "Paragraphs to write (default ${DEFAULT-VALUE}).")
    int paragraphs;

    @Option(names = "--max-tokens", defaultValue = "256", description = "Bound on a paragraph's tokens incl. BOS, at most the model's "
            + "context (default ${DEFAULT-VALUE}); a paragraph ends earlier where the model draws an end token.")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Softmax temperature; 1 samples the model's own distribution "
            + "(default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the draw (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (paragraphs < 1) throw new InvalidInputException("-", "--paragraphs", "must be >= 1");
        if (maxTokens < 2) throw new InvalidInputException("-", "--max-tokens", "must be >= 2");
        if (!(temperature > 0) || Double.isInfinite(temperature)) throw new InvalidInputException("-", "--temperature", "must be a finite number > 0");
        String tokenizerUri = Models.tokenizerFor(model, tokenizer);
        long started = System.nanoTime();
        try (ModelWeights w = ModelLoader.open(model)) {
            ModelArchitecture arch = w.architecture();
            if (maxTokens > arch.maxSeqLen()) {
                throw new InvalidInputException(model, "--max-tokens", maxTokens + " is more than the model's context of " + arch.maxSeqLen() + " tokens");
            }
            Tokenizer tok = Tokenizers.load(tokenizerUri, arch.vocabSize());
            ForwardPass pass = ForwardPasses.open(w, SearchEvaluators.inProcessPassThreads());
            List<String> texts = new ArrayList<>();
            long tokens = 0;
            double nll = 0;
            long drawnTokens = 0;
            int next = 0;
            int emptyDraws = 0;
            // a draw that ends at once (or writes only blank space) is skipped, and the next sequence of the stream is drawn
            while (texts.size() < paragraphs) {
                int want = paragraphs - texts.size();
                List<TextSampler.Sequence> drawn = TextSampler.sample(pass, tok.bosId(), new int[] {tok.eosId(), tok.bosId()}, want,
                        maxTokens, temperature, seed, next);
                next += want;
                for (TextSampler.Sequence s : drawn) {
                    nll += s.sumNegLogProb();
                    drawnTokens += s.drawn();
                    String text = BLANK_LINES.matcher(tok.decode(s.tokens()).replace("\r", "")).replaceAll("\n").strip();
                    if (text.isEmpty()) {
                        emptyDraws++;
                        continue;
                    }
                    texts.add(text);
                    tokens += s.tokens().length - 1;
                }
                if (emptyDraws > 3 * paragraphs) {
                    throw new InvalidInputException(model, "--paragraphs", "the model ended " + emptyDraws + " draws before writing any text; "
                            + texts.size() + " of " + paragraphs + " paragraphs written");
                }
            }
            AtomicFiles.writeString(AtomicFiles.path(out), String.join("\n\n", texts) + "\n");
            double seconds = (System.nanoTime() - started) / 1e9;
            double nllPerToken = drawnTokens == 0 ? 0 : nll / drawnTokens;
            if (json) {
                ObjectNode n = JsonOut.object();
                n.put("model", model);
                n.put("out", out);
                n.put("paragraphs", texts.size());
                n.put("tokens", tokens);
                n.put("skipped_empty_draws", emptyDraws);
                n.put("temperature", temperature);
                n.put("seed", seed);
                n.put("nll_of_drawn_tokens", nllPerToken);
                n.put("elapsed_s", seconds);
                JsonOut.print(System.out, n);
            } else {
                System.out.printf(Locale.ROOT, "wrote %s: %d paragraphs, %d tokens drawn from %s at temperature %.3g (seed %d); "
                                + "the model's mean NLL of its drawn tokens %.4f nats/token (%.1f s)%n",
                        out, texts.size(), tokens, arch.name(), temperature, seed, nllPerToken, seconds);
            }
        }
        return 0;
    }
}
