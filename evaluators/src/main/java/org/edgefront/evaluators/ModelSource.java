package org.edgefront.evaluators;

import java.io.IOException;
import java.io.Serializable;
import java.util.Objects;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.ModelLoader;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.synthetic.SyntheticLlama;

/**
 * Where a model comes from, as serializable configuration that executors open themselves.
 * {@code synthetic:KIND} or {@code synthetic:KIND?seed=N} names one of EdgeFront's deterministic generated
 * models (labelled synthetic in every output): {@code tiny} (the quickstart's), and real shapes whose weights
 * are generated lazily, tensor by tensor: {@code smollm135m}, {@code tinyllama1b}, {@code phi2}. Anything else is a llama2.c file or Hugging Face
 * directory path/URI read through Hadoop FileSystem. Immutable and thread-safe.
 *
 * @param uri the model path, URI or synthetic name
 */
public record ModelSource(String uri) implements Serializable {
    /** Default seed of the synthetic quickstart model. */
    public static final long DEFAULT_SYNTHETIC_SEED = 7L;
    private static final String SYNTHETIC_PREFIX = "synthetic:";

    public ModelSource {
        Objects.requireNonNull(uri, "uri");
        if (uri.isBlank()) throw new InvalidInputException("-", "model", "empty model path");
    }

    /** True for a generated model. */
    public boolean synthetic() { return uri.startsWith(SYNTHETIC_PREFIX); }

    /** Seed of a synthetic model. */
    public long syntheticSeed() {
        int q = uri.indexOf("?seed=");
        if (q < 0) return DEFAULT_SYNTHETIC_SEED;
        try {
            return Long.parseLong(uri.substring(q + 6));
        } catch (NumberFormatException e) {
            throw new InvalidInputException(uri, "seed", "not an integer");
        }
    }

    /** Opens the weights; the caller closes them. */
    public ModelWeights open() throws IOException {
        if (!synthetic()) return ModelLoader.open(uri);
        String kind = uri.substring(SYNTHETIC_PREFIX.length()).replaceAll("\\?.*$", "");
        long seed = syntheticSeed();
        return switch (kind) {
            case "tiny" -> SyntheticLlama.tiny(seed);
            case "smollm135m" -> SyntheticLlama.create(SyntheticLlama.Shape.smolLm135m(), seed);
            case "tinyllama1b" -> SyntheticLlama.create(SyntheticLlama.Shape.tinyLlama1b(), seed);
            case "phi2" -> SyntheticLlama.create(SyntheticLlama.Shape.phi2(), seed, org.edgefront.space.model.ArchitectureFamily.PHI2);
            case "phi3mini" -> SyntheticLlama.create(SyntheticLlama.Shape.phi3Mini(), seed, org.edgefront.space.model.ArchitectureFamily.PHI3);
            default -> throw new InvalidInputException(uri, "model", "unknown synthetic model '" + kind
                    + "' (known: tiny, smollm135m, tinyllama1b, phi2, phi3mini)");
        };
    }
}
