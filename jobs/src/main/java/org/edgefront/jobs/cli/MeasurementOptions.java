package org.edgefront.jobs.cli;

import java.io.IOException;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.jobs.profile.CompareStudy;
import org.edgefront.jobs.run.SearchEvaluators;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import picocli.CommandLine.Option;

/**
 * The model and text options of the commands that measure quality (profile, fidelity, compare), as a picocli
 * mixin: one definition of the flags, their checks, and the quality evaluator they configure.
 */
final class MeasurementOptions {
    @Option(names = "--model", required = true,
            description = Models.FORMATS + "; or " + Models.SYNTHETIC + ".")
    String model;

    @Option(names = "--tokenizer", description = "llama2.c tokenizer file or Hugging Face tokenizer.json (required for real models but GGUF files, which carry their own).")
    String tokenizer;

    @Option(names = "--text", description = "Text; paragraphs separated by blank lines (required for real models).")
    String text;

    @Option(names = "--paragraphs", defaultValue = "20", description = "Paragraphs measured (default ${DEFAULT-VALUE}).")
    int paragraphs;

    @Option(names = "--offset", defaultValue = "0", description = "Paragraphs to skip first (default ${DEFAULT-VALUE}).")
    int offset;

    @Option(names = "--max-tokens", defaultValue = "512", description = "Tokens per paragraph incl. BOS (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--calibration-paragraphs",
            description = "Paragraphs after the measured ones that calibrate Wanda pruning, rank structure and GPTQ"
                    + " (default 0; compare: " + CompareStudy.DEFAULT_CALIBRATION_PARAGRAPHS + " when --text is given).")
    Integer calibrationParagraphs;

    /**
     * Calibration paragraphs: the flag's value, else {@code whenUnset} (compare calibrates GPTQ by default, the
     * other commands only when asked).
     */
    int calibrationParagraphs(int whenUnset) {
        return calibrationParagraphs == null ? whenUnset : calibrationParagraphs;
    }

    /** Fails fast (exit 2) on impossible values. */
    void validate() {
        if (calibrationParagraphs != null && calibrationParagraphs < 0) throw new InvalidInputException("-", "--calibration-paragraphs", "must be >= 0");
        if (paragraphs < 1) throw new InvalidInputException("-", "--paragraphs", "must be >= 1");
        if (offset < 0) throw new InvalidInputException("-", "--offset", "must be >= 0");
        if (maxTokens < 2) throw new InvalidInputException("-", "--max-tokens", "must be >= 2");
    }

    /** The model's architecture (reads only what it needs). */
    ModelArchitecture architecture() throws IOException {
        return ProfileCommand.ProfileInputs.architecture(model);
    }

    /**
     * A quality evaluator factory over these paragraphs (or synthetic sequences) for {@code space}, calibration unset = 0.
     * Its evaluators run in this process, each pass on every core ({@link SearchEvaluators#inProcessPassThreads}); a
     * command that hands the factory to Spark tasks sets one thread, and each executor's
     * {@link org.edgefront.jobs.spark.EvaluatorPool} gives the evaluators it builds the executor's cores.
     */
    QualityEvaluator.Factory factory(ModelArchitecture arch, SearchSpace space) {
        return factory(arch, space, calibrationParagraphs(0));
    }

    /** As {@link #factory(ModelArchitecture, SearchSpace)} with this many calibration paragraphs. */
    QualityEvaluator.Factory factory(ModelArchitecture arch, SearchSpace space, int calibration) {
        return ProfileCommand.ProfileInputs.factory(model, tokenizer, text, offset, paragraphs, maxTokens, calibration, arch, space)
                .withThreads(SearchEvaluators.inProcessPassThreads());
    }
}
