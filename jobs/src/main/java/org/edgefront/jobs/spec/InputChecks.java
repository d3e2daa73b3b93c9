package org.edgefront.jobs.spec;

import java.io.IOException;
import java.util.List;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.TextCorpus;
import org.edgefront.space.tokenizer.Tokenizers;
import org.edgefront.space.model.ModelArchitecture;

/**
 * Reads the measurement inputs (tokenizer and text) on the driver exactly as an executor will, before any
 * Spark work or output: a directory given as the text, a text file given as the tokenizer, a tokenizer whose
 * ids fall outside the model's vocabulary, or a text with too few paragraphs is then an
 * {@link InvalidInputException} naming the file and the option or spec key the user wrote (exit 2), instead
 * of failing every task. Whatever {@link QualityEvaluator.TextInputs} reads (a tokenizer file, a Hugging Face
 * directory, or a tokenizer embedded in the model file) is checked by the same code path. Stateless.
 */
public final class InputChecks {
    private InputChecks() {}

    /**
     * The names a user gave the tokenizer and text: {@code --tokenizer}/{@code --text} on the command line or
     * {@code model.tokenizer}/{@code model.text} in a spec.
     */
    public record Fields(String tokenizer, String text) {
        /** The command-line names. */
        public static final Fields CLI = new Fields("--tokenizer", "--text");
        /** The spec keys. */
        public static final Fields SPEC = new Fields("model.tokenizer", "model.text");
    }

    /**
     * Encodes every evaluation and calibration paragraph of {@code inputs} for {@code arch} (milliseconds for the
     * usual tens of paragraphs) and checks every id is inside the model's vocabulary.
     *
     * @throws InvalidInputException naming the tokenizer or text file and the user's field for that input
     */
    public static void text(QualityEvaluator.TextInputs inputs, ModelArchitecture arch, Fields fields) {
        // text first, then the tokenizer alone, so an error names the input that failed even when both are one file
        try {
            TextCorpus.paragraphs(inputs.textUri());
        } catch (InvalidInputException e) {
            throw readdressed(e, fields.text());
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(inputs.textUri(), fields.text(), "cannot read: " + e.getMessage(), e);
        }
        try {
            Tokenizers.load(inputs.tokenizerUri(), arch.vocabSize());
        } catch (InvalidInputException e) {
            throw readdressed(e, fields.tokenizer());
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(inputs.tokenizerUri(), fields.tokenizer(), "not a tokenizer this model can use: " + e.getMessage(), e);
        }
        try {
            checkIds(inputs.tokenizerUri(), fields.tokenizer(), inputs.sequences(arch), arch);
            checkIds(inputs.tokenizerUri(), fields.tokenizer(), inputs.calibration(arch), arch);
        } catch (InvalidInputException e) {
            throw renamed(e, inputs, fields);
        } catch (IOException | RuntimeException e) {
            // an unreadable file that the readers did not classify: name the text, which is read first
            throw new InvalidInputException(inputs.textUri(), fields.text(), "cannot read the text or tokenizer ("
                    + inputs.tokenizerUri() + "): " + e.getMessage(), e);
        }
    }

    /** Search inputs: the text and tokenizer of a real-weights search with measured quality (a no-op otherwise). */
    public static void search(ResolvedSearch r, SearchSpecLoader.Overrides overrides) {
        search(r, new Fields(overrides.tokenizer() != null ? "--tokenizer" : "model.tokenizer",
                overrides.text() != null ? "--text" : "model.text"));
    }

    /** Search inputs, errors naming {@code fields} (e.g. a sweep's {@code models[i].text}). */
    public static void search(ResolvedSearch r, Fields fields) {
        if (r.model().synthetic() || r.tokenizerUri() == null || r.textUri() == null) return;
        if (!r.measuredQuality() && r.calibrationParagraphs() == 0) return;
        int paragraphs = r.paragraphs();
        for (int s : r.stages()) paragraphs = Math.max(paragraphs, s);
        text(new QualityEvaluator.TextInputs(r.model().uri(), r.tokenizerUri(), r.textUri(), r.paragraphOffset(), paragraphs,
                r.maxTokens(), r.calibrationParagraphs()), r.architecture(), fields);
    }

    private static void checkIds(String tokenizerUri, String field, List<int[]> sequences, ModelArchitecture arch) {
        for (int[] seq : sequences) {
            for (int id : seq) {
                if (id < 0 || id >= arch.vocabSize()) {
                    throw new InvalidInputException(tokenizerUri, field, "gives token id " + id + " but " + arch.name()
                            + " has a vocabulary of " + arch.vocabSize() + " (the tokenizer belongs to another model)");
                }
            }
        }
    }

    /** The reader's error, re-addressed to the option or key the user wrote for that file. */
    private static InvalidInputException renamed(InvalidInputException e, QualityEvaluator.TextInputs in, Fields f) {
        String field = e.file().equals(in.textUri()) ? f.text() : e.file().equals(in.tokenizerUri()) ? f.tokenizer() : null;
        return field == null ? e : readdressed(e, field);
    }

    private static InvalidInputException readdressed(InvalidInputException e, String field) {
        if (e.field().equals(field)) return e;
        String what = e.field().equals("path") || e.field().equals("(file)") ? "" : " (" + e.field() + ")";
        return new InvalidInputException(e.file(), field, e.problem() + what, e);
    }
}
