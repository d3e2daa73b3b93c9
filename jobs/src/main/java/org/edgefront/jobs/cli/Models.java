package org.edgefront.jobs.cli;

import java.io.IOException;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.nativert.device.ModelDescriptors;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;

/** Resolves a {@code --model} argument to an architecture: a checkpoint, synthetic:tiny, or a descriptor YAML. */
final class Models {
    /** Every checkpoint format a command reads, for help texts (one list, so no command's help omits one). */
    static final String FORMATS = "llama2.c checkpoint, Hugging Face directory (safetensors) or GGUF file";

    /** The synthetic models, for help texts. */
    static final String SYNTHETIC = "synthetic:tiny (also synthetic:smollm135m, synthetic:tinyllama1b, synthetic:phi2, with ?seed=N)";

    private Models() {}

    static ModelArchitecture architecture(String model) {
        if (model.endsWith(".yaml") || model.endsWith(".yml")) return ModelDescriptors.load(model).architecture();
        try (ModelWeights w = new ModelSource(model).open()) {
            return w.architecture();
        } catch (IOException e) {
            throw new InvalidInputException(model, "(file)", "cannot read: " + e.getMessage(), e);
        }
    }
}
