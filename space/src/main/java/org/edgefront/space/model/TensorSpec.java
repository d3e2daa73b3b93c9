package org.edgefront.space.model;

import java.util.Objects;

/**
 * One linear tensor of a model, stored row-major as {@code rows x cols} where {@code rows} is the
 * number of output features and {@code cols} the number of input features (the dimension that
 * quantization groups run along). For the embedding, rows = vocabulary and cols = hidden size.
 *
 * @param name  canonical GGUF-style name, e.g. {@code blk.0.attn_q.weight}; unique in a model
 * @param role  what the tensor does
 * @param layer block index, or -1 for embedding and LM head
 * @param rows  output features (>= 1)
 * @param cols  input features (>= 1)
 */
public record TensorSpec(String name, TensorRole role, int layer, int rows, int cols) implements java.io.Serializable {
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("tensor " + name + " has non-positive shape " + rows + "x" + cols);
        }
    }

    /** Number of weights, rows x cols. */
    public long parameterCount() { return (long) rows * cols; }

    /** Canonical name for a per-layer role. */
    public static String canonicalName(TensorRole role, int layer) {
        return role.perLayer() ? "blk." + layer + "." + role.ggufStem() + ".weight" : role.ggufStem() + ".weight";
    }
}
