package org.edgefront.nativert;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/**
 * Flat, reusable buffers holding the choices of up to {@code capacity} candidates of one architecture,
 * in tensor order of {@link ModelArchitecture#linearTensors()}: what one batched JNI call consumes.
 * Fill with {@link #set} (pre-encode choices once with {@link EncodedChoice#encode} for speed; the encoded
 * choice carries the kept shape of structured pruning).
 * Not thread-safe: one batch per thread.
 */
public final class CandidateBatch {
    /** Ints per tensor per candidate ({@link WireLayout.Choice}, {@code EF_CHOICE_INTS}). */
    static final int INTS = WireLayout.CHOICE_FIELDS;
    private final ModelArchitecture architecture;
    private final int tensors;
    private final int capacity;
    final int[] choiceInts;
    final double[] ratios;
    final long[] weightBytes;
    private int size;

    public CandidateBatch(ModelArchitecture architecture, int capacity) {
        this.architecture = Objects.requireNonNull(architecture, "architecture");
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1");
        this.tensors = architecture.linearTensors().size();
        if ((long) capacity * tensors * INTS > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("capacity too large");
        this.capacity = capacity;
        this.choiceInts = new int[capacity * tensors * INTS];
        this.ratios = new double[capacity * tensors];
        this.weightBytes = new long[capacity * tensors];
    }

    public ModelArchitecture architecture() { return architecture; }

    public int capacity() { return capacity; }

    /** Candidates in the batch (those below this index are simulated). */
    public int size() { return size; }

    /** Sets the number of candidates to simulate, 0..capacity. */
    public void size(int n) {
        if (n < 0 || n > capacity) throw new IllegalArgumentException("size " + n + " not in [0, " + capacity + "]");
        size = n;
    }

    /** Sets tensor {@code tensorIndex} of candidate {@code candidate}. */
    public void set(int candidate, int tensorIndex, EncodedChoice c) {
        int k = candidate * tensors + tensorIndex;
        if (candidate < 0 || candidate >= capacity || tensorIndex < 0 || tensorIndex >= tensors) {
            throw new IndexOutOfBoundsException("candidate " + candidate + ", tensor " + tensorIndex);
        }
        c.writeInts(choiceInts, k);
        ratios[k] = c.sparsityRatio();
        weightBytes[k] = c.weightBytes();
    }

    /** Sets every tensor of candidate {@code candidate}, in {@link ModelArchitecture#linearTensors()} order. */
    public void set(int candidate, List<EncodedChoice> choices) {
        if (choices.size() != tensors) {
            throw new IllegalArgumentException(choices.size() + " choices for " + tensors + " tensors");
        }
        for (int i = 0; i < tensors; i++) set(candidate, i, choices.get(i));
    }

    /** Fills candidate {@code candidate} from a map of tensor name to choice (every tensor required, unpruned). */
    public void set(int candidate, Map<String, TensorChoice> choices) {
        List<TensorSpec> ts = architecture.linearTensors();
        for (int i = 0; i < ts.size(); i++) {
            TensorChoice c = choices.get(ts.get(i).name());
            if (c == null) throw new IllegalArgumentException("no choice for tensor " + ts.get(i).name());
            set(candidate, i, EncodedChoice.encode(ts.get(i), c));
        }
    }

    /** The encoded choice of one tensor of one candidate. */
    public EncodedChoice get(int candidate, int tensorIndex) {
        if (candidate < 0 || candidate >= capacity || tensorIndex < 0 || tensorIndex >= tensors) {
            throw new IndexOutOfBoundsException("candidate " + candidate + ", tensor " + tensorIndex);
        }
        return EncodedChoice.read(choiceInts, ratios, weightBytes, candidate * tensors + tensorIndex);
    }
}
