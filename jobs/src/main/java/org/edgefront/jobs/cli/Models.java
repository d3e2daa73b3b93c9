package org.edgefront.jobs.cli;

import java.io.IOException;
import java.util.List;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.nativert.ModelCatalog;
import org.edgefront.nativert.device.ModelDescriptor;
import org.edgefront.nativert.device.ModelDescriptors;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;

/**
 * Resolves a {@code --model} argument to the simulator's model description: {@code synthetic:KIND}, or anything
 * {@link ModelCatalog#resolve} takes (descriptor YAML, Hugging Face config.json or directory, GGUF, llama2.c, or a
 * catalog name from the repository's {@code configs/models}).
 */
final class Models {
    /** Every checkpoint format a command reads, for help texts (one list, so no command's help omits one). */
    static final String FORMATS = "llama2.c checkpoint, Hugging Face directory (safetensors) or GGUF file";

    /** The synthetic models, for help texts. */
    static final String SYNTHETIC = "synthetic:tiny (also synthetic:smollm135m, synthetic:tinyllama1b, synthetic:phi2, with ?seed=N)";

    /** The {@code --tokenizer} of commands that read text with a checkpoint's tokenizer, for help texts. */
    static final String TOKENIZER = "llama2.c tokenizer file, Hugging Face tokenizer.json, the model directory holding it, "
            + "or a GGUF file (default for a GGUF model: the tokenizer it carries).";

    private Models() {}

    /**
     * The tokenizer a text command reads for {@code model}: {@code tokenizer} when given, else the model itself when it is a
     * GGUF file (which carries its tokenizer).
     *
     * @throws InvalidInputException naming {@code --tokenizer} when neither applies
     */
    static String tokenizerFor(String model, String tokenizer) throws IOException {
        if (tokenizer != null) return tokenizer;
        if (org.edgefront.space.io.GgufFile.hasMagic(model, new org.apache.hadoop.conf.Configuration())) return model;
        throw new InvalidInputException(model, "--tokenizer", "is required: only a GGUF model carries its own tokenizer");
    }

    static ModelDescriptor descriptor(String model) {
        ModelSource src = new ModelSource(model);
        if (src.synthetic()) {
            try (ModelWeights w = src.open()) {
                return ModelCatalog.fromArchitecture(model, w.architecture());
            } catch (IOException e) {
                throw new InvalidInputException(model, "(file)", "cannot read: " + e.getMessage(), e);
            }
        }
        return catalog().resolve(model);
    }

    /** The repository's catalog, or an empty one when the repository's configs cannot be found (files still resolve). */
    private static ModelCatalog catalog() {
        try {
            return ModelCatalog.load(org.edgefront.jobs.spec.RepoPaths.config("models").toString());
        } catch (InvalidInputException e) {
            if (!e.field().equals("--models")) throw e;
            return new ModelCatalog(List.of());
        }
    }

    /** The architecture of a checkpoint, synthetic model or descriptor (for commands that need only the shapes). */
    static ModelArchitecture architecture(String model) {
        return descriptor(model).architecture();
    }
}
