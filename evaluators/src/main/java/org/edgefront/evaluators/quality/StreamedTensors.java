package org.edgefront.evaluators.quality;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;

/**
 * A forward pass's float tensors read from the checkpoint when asked for, so a model larger than the heap can be
 * evaluated: the small tensors (norms, biases), the embedding (every chunk looks rows up in it) and linear tensors
 * in layer order up to {@code pinnedBytes} are read once and held; every other linear tensor is read from the
 * checkpoint on each {@link #get} (a fresh array, garbage once its layer is done). A read-only map; iterating its
 * entries reads every streamed tensor once.
 *
 * <p>Ownership: the map reads from, but does not own, the {@link ModelWeights}; they must stay open while any pass
 * built on this map runs (see {@link ForwardPasses#open}). Thread-safety: safe for concurrent reads when the weights
 * are ({@link ModelWeights} implementations are unless they say otherwise).
 */
final class StreamedTensors extends TensorViews.View {
    private final ModelWeights weights;
    private final Set<String> names;
    private final Map<String, float[]> pinned = new HashMap<>();
    private final long pinnedBytes;

    /**
     * @param weights     the open checkpoint (not owned)
     * @param names       every name the pass reads (linear tensors, norms, biases)
     * @param pinnedBytes bytes of linear tensors (besides the embedding) held in memory, in layer order
     * @throws IOException when a held tensor cannot be read
     */
    StreamedTensors(ModelWeights weights, List<String> names, long pinnedBytes) throws IOException {
        this.weights = weights;
        this.names = Set.copyOf(names);
        ModelArchitecture a = weights.architecture();
        Map<String, TensorSpec> linear = a.tensorsByName();
        long held = 0;
        for (String n : names) {
            TensorSpec t = linear.get(n);
            boolean small = t == null;
            boolean embedding = t != null && t.role() == org.edgefront.space.model.TensorRole.EMBEDDING;
            long bytes = t == null ? 0 : 4L * t.parameterCount();
            if (small || embedding || held + bytes <= pinnedBytes) {
                pinned.put(n, weights.read(n));
                if (!small && !embedding) held += bytes;
            }
        }
        this.pinnedBytes = held;
    }

    /** Bytes of linear tensors held besides the embedding. */
    long pinnedBytes() { return pinnedBytes; }

    /** Whether {@code name} is read from the checkpoint on every use. */
    boolean streamed(String name) { return names.contains(name) && !pinned.containsKey(name); }

    @Override
    public float[] get(Object key) {
        float[] p = pinned.get(key);
        if (p != null || !(key instanceof String name) || !names.contains(name)) return p;
        try {
            return weights.read(name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tensor " + name + " from " + weights.source(), e);
        }
    }

    @Override
    public java.util.Set<String> keySet() { return names; }
}
