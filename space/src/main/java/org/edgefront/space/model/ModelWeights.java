package org.edgefront.space.model;

import java.io.IOException;

/**
 * Read access to the float weights of a checkpoint, tensor by tensor, so a large model never has
 * to sit in the heap whole. Implementations decode F16/BF16/quantized storage to float on read.
 *
 * <p>Ownership: whoever opens a {@code ModelWeights} closes it. Thread-safety: implementations are
 * safe for concurrent reads unless they say otherwise.
 */
public interface ModelWeights extends AutoCloseable {

    /** The architecture these weights belong to. */
    ModelArchitecture architecture();

    /**
     * Reads a tensor as row-major floats. Linear tensors use their canonical names
     * ({@link TensorSpec#name()}); norms use {@link ModelArchitecture#attentionNormName(int)} and friends.
     *
     * @return a fresh array the caller may modify
     * @throws IOException when the storage cannot be read
     * @throws IllegalArgumentException when no tensor has that name
     */
    float[] read(String tensorName) throws IOException;

    /**
     * Names {@link #read(String)} accepts: the linear tensors and the norms and biases
     * ({@link ModelArchitecture#vectorTensors()}: with {@link ModelArchitecture#attentionBiases()} the attention biases,
     * with {@link ModelArchitecture#qkNorm()} the q/k norms).
     */
    default java.util.Set<String> tensorNames() {
        ModelArchitecture a = architecture();
        java.util.Set<String> names = new java.util.LinkedHashSet<>(a.tensorsByName().keySet());
        for (ModelArchitecture.VectorTensor v : a.vectorTensors()) names.add(v.name());
        return java.util.Collections.unmodifiableSet(names);
    }

    /** Where the weights came from (a URI, or {@code synthetic:...}). */
    String source();

    @Override
    void close() throws IOException;
}
