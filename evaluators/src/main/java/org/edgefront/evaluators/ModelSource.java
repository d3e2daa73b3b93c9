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
 * {@code synthetic:tiny} or {@code synthetic:tiny?seed=N} names EdgeFront's deterministic generated
 * model (labelled synthetic in every output); anything else is a llama2.c file or Hugging Face
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
        if (!kind.equals("tiny")) {
            throw new InvalidInputException(uri, "model", "unknown synthetic model '" + kind + "' (known: tiny)");
        }
        return SyntheticLlama.tiny(syntheticSeed());
    }
}
