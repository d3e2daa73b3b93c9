package org.edgefront.evaluators.quality;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;

/**
 * The one place that maps an {@link org.edgefront.space.model.ArchitectureFamily} to its {@link ForwardPass}: the
 * pass to build and the non-linear tensors (norms, biases) it reads. A new architecture is a pass class plus
 * one case in each switch below. Stateless and thread-safe.
 */
public final class ForwardPasses {
    private ForwardPasses() {}

    /**
     * Whether this JVM runs the passes' softmaxes and SiLU gate as SIMD code (x86-64 with the
     * {@code jdk.incubator.vector} module loaded; see the README), for benchmarks to report beside their figures.
     */
    public static boolean simdKernels() { return ForwardMath.SIMD; }

    /**
     * The forward pass of {@code arch} over the given float tensors: every linear tensor by canonical name and the
     * family's norms and biases ({@link #tensorNames}). The arrays are kept, not copied: the caller must not modify
     * them afterwards.
     *
     * @throws IllegalArgumentException for an architecture no pass implements, or a missing or wrongly sized tensor
     */
    public static ForwardPass of(ModelArchitecture arch, Map<String, float[]> tensors) {
        Objects.requireNonNull(arch, "architecture");
        return switch (arch.family()) {
            case LLAMA, QWEN2, QWEN3, GEMMA3, GEMMA2, PHI3, SMOLLM3 -> LlamaForward.of(arch, tensors);
            case PHI2 -> PhiForward.of(arch, tensors);
        };
    }

    /** As {@link #of(ModelArchitecture, Map)} on {@code threads} threads ({@link ForwardPass#withThreads}), built over them. */
    static ForwardPass of(ModelArchitecture arch, Map<String, float[]> tensors, int threads) {
        Objects.requireNonNull(arch, "architecture");
        return switch (arch.family()) {
            case LLAMA, QWEN2, QWEN3, GEMMA3, GEMMA2, PHI3, SMOLLM3 -> LlamaForward.onThreads(arch, tensors, threads);
            case PHI2 -> PhiForward.of(arch, tensors).withThreads(threads);
        };
    }

    /** The non-linear tensors (norms, biases) the pass of {@code arch} reads besides the linear ones. */
    public static List<String> tensorNames(ModelArchitecture arch) {
        return switch (arch.family()) {
            case LLAMA, QWEN2, QWEN3, GEMMA3, GEMMA2, PHI3, SMOLLM3 -> LlamaForward.names(arch);
            case PHI2 -> PhiForward.names(arch);
        };
    }

    /**
     * Models whose linear tensors take more float bytes than this run with their matrices uploaded to ND4J layer by
     * layer on every chunk instead of held there (see {@link #open}): 1 GiB, above the 135M shape (0.54 GB), below
     * the 1.1B one (4.4 GB).
     */
    public static final long RESIDENT_MATRIX_BYTES = 1L << 30;

    /** Whether a pass of {@code arch} holds its linear matrices in ND4J (see {@link #RESIDENT_MATRIX_BYTES}). */
    static boolean residentMatrices(ModelArchitecture arch, long residentMatrixBytes) {
        long params = 0;
        for (TensorSpec s : arch.linearTensors()) params += s.parameterCount();
        return 4L * params <= residentMatrixBytes;
    }

    /**
     * A forward pass over {@code weights} that fits the heap whatever the model's size: a model up to
     * {@link #RESIDENT_MATRIX_BYTES} is read whole ({@link #load}); a larger one streams its linear tensors from the
     * checkpoint when each layer runs, holding only its norms, biases, embedding and, in layer order, linear tensors
     * up to a quarter of the maximum heap (so the pass re-reads the rest of the checkpoint on every chunk, and a
     * pass's replaced tensors are produced layer by layer too).
     *
     * <p>Ownership: a streamed pass reads from {@code weights}, which the caller keeps open while the pass (and any
     * pass derived from it) is used, and closes afterwards.
     */
    public static ForwardPass open(ModelWeights weights) throws IOException {
        return open(weights, RESIDENT_MATRIX_BYTES, defaultPinnedBytes());
    }

    /**
     * As {@link #open(ModelWeights)} on {@code threads} threads: a resident model read on them ({@link #load(ModelWeights,
     * int)}), a streamed one spread over them ({@link ForwardPass#withThreads}). The results do not depend on the count.
     */
    public static ForwardPass open(ModelWeights weights, int threads) throws IOException {
        return streams(weights.architecture()) ? open(weights).withThreads(threads) : load(weights, threads);
    }

    /**
     * As {@link #open(ModelWeights)} with explicit bounds.
     *
     * @param residentMatrixBytes models whose linear tensors take more float bytes are streamed
     * @param pinnedBytes         bytes of linear tensors a streamed pass holds (besides the embedding), in layer order
     */
    static ForwardPass open(ModelWeights weights, long residentMatrixBytes, long pinnedBytes) throws IOException {
        ModelArchitecture a = weights.architecture();
        if (!streams(a, residentMatrixBytes)) return load(weights);
        List<String> names = new java.util.ArrayList<>();
        for (TensorSpec s : a.linearTensors()) names.add(s.name());
        names.addAll(tensorNames(a));
        StreamedTensors t = new StreamedTensors(weights, names, pinnedBytes);
        return switch (a.family()) {
            case LLAMA, QWEN2, QWEN3, GEMMA3, GEMMA2, PHI3, SMOLLM3 -> LlamaForward.of(a, t, false);
            case PHI2 -> PhiForward.of(a, t, false);
        };
    }

    /** A quarter of the maximum heap: what a streamed pass holds of its linear tensors. */
    static long defaultPinnedBytes() { return Runtime.getRuntime().maxMemory() / 4; }

    /** Whether {@link #open(ModelWeights)} streams a model of {@code arch} (the caller must then keep its weights open while the pass is used). */
    public static boolean streams(ModelArchitecture arch) {
        return streams(arch, RESIDENT_MATRIX_BYTES);
    }

    static boolean streams(ModelArchitecture arch, long residentMatrixBytes) {
        return !residentMatrices(arch, residentMatrixBytes);
    }

    /**
     * The threads {@code pass} works on, for work done beside its runs (compressing tensors, finishing reference rows):
     * the pass's own pool, so that its helpers count every caller using it (the concurrent copies of an evaluator
     * included) and never take a core another one is on; a pass of another kind gets a pool of its thread count.
     */
    static PassWorkers workers(ForwardPass pass) {
        if (pass instanceof LlamaForward l) return l.workers();
        if (pass instanceof PhiForward p) return p.workers();
        return PassWorkers.of(pass.threads());
    }

    /** Reads every tensor the pass needs from {@code weights} (which the caller still owns and closes). */
    public static ForwardPass load(ModelWeights weights) throws IOException {
        return load(weights, 1);
    }

    /**
     * As {@link #load(ModelWeights)}, reading (and decoding, or for a synthetic model generating) the tensors on
     * {@code threads} threads, for a pass on that many threads ({@link ForwardPass#withThreads}). The tensors do not
     * depend on the count.
     */
    public static ForwardPass load(ModelWeights weights, int threads) throws IOException {
        return of(weights.architecture(), readAll(weights, threads), threads);
    }

    /** Every linear tensor, norm and bias of {@code weights} the pass reads, by canonical name, read on {@code threads} threads. */
    static Map<String, float[]> readAll(ModelWeights weights, int threads) throws IOException {
        ModelArchitecture a = weights.architecture();
        List<String> names = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (TensorSpec s : a.linearTensors()) {
            names.add(s.name());
            sizes.add(s.parameterCount());
        }
        for (String n : tensorNames(a)) {
            names.add(n);
            sizes.add(0L);
        }
        // the largest first, so that no thread is left with a large tensor (the embedding) at the end while the others idle
        Integer[] order = new Integer[names.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, java.util.Comparator.comparingLong((Integer i) -> sizes.get(i)).reversed());
        float[][] read = new float[names.size()][];
        try {
            // each tensor alone, into its own slot: the same arrays whatever thread read them
            PassWorkers.of(threads).forEach(names.size(), (task, thread) -> {
                int i = order[task];
                try {
                    read[i] = weights.read(names.get(i));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        Map<String, float[]> t = new HashMap<>();
        for (int i = 0; i < read.length; i++) t.put(names.get(i), read[i]);
        return t;
    }

    /** The Phi-2 pass sizes q and the attention output by dim; Phi models with heads x headDim != dim are refused. */
    static void requireFullWidthHeads(ModelArchitecture arch) {
        Objects.requireNonNull(arch, "architecture");
        if (arch.qDim() != arch.dim()) {
            throw new IllegalArgumentException("the forward pass needs heads x headDim = dim; " + arch.name() + " has "
                    + arch.heads() + " x " + arch.headDim() + " != " + arch.dim());
        }
    }
}
