package org.edgefront.nativert.reference;

import org.edgefront.nativert.EncodedChoice;
import org.edgefront.nativert.BlockState;
import org.edgefront.nativert.MemoryBreakdown;
import org.edgefront.nativert.ModelTensors;
import org.edgefront.nativert.TensorReads;
import org.edgefront.nativert.calibration.BackendCalibration;
import org.edgefront.nativert.device.BlockKind;
import org.edgefront.nativert.device.Workload;
import java.util.List;
import java.util.Map;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/**
 * Exact peak resident memory of a candidate, in bytes; the native simulator computes the same formulas.
 *
 * <ul>
 *   <li><b>weights</b> = sum over linear tensors of {@link TensorChoice#bytes(TensorSpec)}: whole quantization
 *       blocks with their scales/minima, sparsity bitmaps or N:M indices, both low-rank factors. A tied
 *       embedding is stored once.</li>
 *   <li><b>KV cache</b> = ceil(2 x layers x context x kvDim x kvBits / 8), kvDim = kvHeads x headDim: K and V of
 *       every layer for every position of the full context (allocated up front, as llama.cpp does). With structured
 *       pruning each layer holds its kept K rows + kept V rows instead of 2 x kvDim, and a layer whose Q, K or V
 *       tensor is removed holds none (it cannot attend). A block that reads an earlier block's cache (Gemma 3n and
 *       Gemma 4's last {@code num_kv_shared_layers}) holds none either, nor does a hybrid model's convolution or
 *       linear-attention block. A latent-attention block (multi-head latent attention, {@link org.edgefront.nativert.LatentAttention})
 *       holds the {@link BlockState#cacheRows() latent rows} it states per position, whatever its projections. A local
 *       block of a sliding-window model (Gemma 2/3, gpt-oss) holds its window and one micro-batch of positions, not the
 *       context ({@link BlockState#heldPositions}), as llama.cpp's iSWA cache.</li>
 *   <li><b>state</b> = the sum of those blocks' {@link BlockState#stateBytes()}: a fixed per-sequence state (LFM2's
 *       convolution window, Qwen3.5's gated delta net matrices), whatever the context.</li>
 *   <li><b>activations</b> = 4 B x (ub x (3 x dim + 2 x hiddenDim) + heads x ub x context + vocab), ub =
 *       min(prompt, ubatch): fp32 residual, normed input and attention output (3 x dim) and FFN gate and up
 *       (2 x hiddenDim) for one prefill ubatch, the attention score matrix of that ubatch over the full context
 *       (no flash attention, an upper bound), and the last token's logits.</li>
 *   <li><b>runtime</b> = the engine's fixed bytes ({@link BackendCalibration#runtimeFixedBytes()}) + 4 B x
 *       (2 x layers + 1) x dim of fp32 norm weights.</li>
 * </ul>
 * With structured pruning the weights are those of the kept shapes ({@link EncodedChoice#weightBytes()});
 * activations and runtime stay those of the full architecture (an upper bound). Stateless and thread-safe.
 */
public final class MemoryModel {
    private MemoryModel() {}

    /** Exact weight bytes of a candidate (every linear tensor must have a choice). */
    public static long weightBytes(ModelArchitecture arch, Map<String, TensorChoice> choices) {
        long sum = 0;
        for (TensorSpec t : arch.linearTensors()) {
            TensorChoice c = choices.get(t.name());
            if (c == null) throw new IllegalArgumentException("no choice for tensor " + t.name());
            sum = Math.addExact(sum, c.bytes(t));
        }
        return sum;
    }

    /**
     * KV cache at {@code contextTokens}: ceil(2 x kvDim x held positions x kvBits / 8) bytes summed over the layers, a
     * layer holding the context, or on a local layer of the architecture's sliding window the window and one micro-batch
     * of {@code ubatchTokens} ({@link BlockState#heldPositions}).
     */
    public static long kvCacheBytes(ModelArchitecture arch, int contextTokens, int kvBits, double ubatchTokens) {
        int[] kept = new int[arch.layers()];
        java.util.Arrays.fill(kept, arch.kvDim());
        return kvCacheBytes(arch, kept, contextTokens, kvBits, ubatchTokens);
    }

    /**
     * KV cache at {@code contextTokens} when layer {@code l} keeps {@code keptKvRowsPerLayer[l]} rows of each of K and V
     * (kvDim = all kept; 0 = the layer has no attention): ceil(2 x sum of kept rows x held positions x kvBits / 8) bytes,
     * the held positions as {@link #kvCacheBytes(ModelArchitecture, int, int, double)}.
     *
     * @throws IllegalArgumentException when the array length is not the layer count or a value is outside [0, kvDim]
     */
    public static long kvCacheBytes(ModelArchitecture arch, int[] keptKvRowsPerLayer, int contextTokens, int kvBits, double ubatchTokens) {
        if (keptKvRowsPerLayer.length != arch.layers()) {
            throw new IllegalArgumentException(keptKvRowsPerLayer.length + " kept KV row counts for " + arch.layers() + " layers");
        }
        List<BlockState> blocks = ModelTensors.windowBlocks(arch);
        long elements = 0;
        for (int l = 0; l < keptKvRowsPerLayer.length; l++) {
            int k = keptKvRowsPerLayer[l];
            if (k < 0 || k > arch.kvDim()) throw new IllegalArgumentException("layer " + l + ": kept KV rows " + k + " not in [0, " + arch.kvDim() + "]");
            BlockState b = blocks.isEmpty() ? BlockState.ATTENTION : blocks.get(l);
            elements = Math.addExact(elements, Math.multiplyExact(2L * k, b.heldPositions(contextTokens, ubatchTokens)));
        }
        long bits = Math.multiplyExact(elements, (long) kvBits);
        return (bits + 7) / 8;
    }

    /**
     * KV cache of a candidate given as encoded choices (in {@link ModelArchitecture#linearTensors()} order): per layer
     * its kept K + kept V rows, none when its Q, K or V is removed (the native simulator's rule).
     */
    public static long kvCacheBytes(ModelArchitecture arch, List<EncodedChoice> choices, int contextTokens, int kvBits, double ubatchTokens) {
        return kvCacheBytes(new ModelTensors(arch, arch.linearTensors(), java.util.Collections.nCopies(arch.linearTensors().size(), TensorReads.DENSE)),
                choices, contextTokens, kvBits, ubatchTokens);
    }

    /**
     * KV cache of a model's candidate: the kept K + V rows of every block that attends and is not KV-shared (a hybrid
     * model's convolution and linear-attention blocks hold state instead, {@link #stateBytes}), for as many positions as
     * each holds: the context, or a windowed block's window and one micro-batch of {@code ubatchTokens}
     * ({@link BlockState#heldPositions}).
     */
    public static long kvCacheBytes(ModelTensors model, List<EncodedChoice> choices, int contextTokens, int kvBits, double ubatchTokens) {
        ModelArchitecture arch = model.architecture();
        long elements = 0;
        int[][] kept = keptAttentionRows(arch, model.tensors(), choices);
        for (int l = 0; l < arch.layers() - model.kvSharedLayers(); l++) {
            BlockState b = model.block(l);
            if (!b.kind().attends()) continue;
            long rows;
            if (b.kind() == BlockKind.LATENT_ATTENTION) {
                rows = b.cacheRows(); // the latent rows it states: its values are a view of them
            } else {
                int[] qkv = kept[l];
                if (qkv[0] <= 0 || qkv[1] <= 0 || qkv[2] <= 0) continue;
                rows = (long) qkv[1] + qkv[2];
            }
            elements = Math.addExact(elements, Math.multiplyExact(rows, b.heldPositions(contextTokens, ubatchTokens)));
        }
        long bits = Math.multiplyExact(elements, (long) kvBits);
        return (bits + 7) / 8;
    }

    /** The recurrent state of a model's blocks that do not attend, bytes: independent of the context. */
    public static long stateBytes(ModelTensors model) {
        long sum = 0;
        for (BlockState b : model.blocks()) sum = Math.addExact(sum, b.stateBytes());
        return sum;
    }

    /**
     * Kept Q, K and V rows of every layer ({@code [layer][0..2]}); a layer without such a tensor keeps the full
     * attention shape (qDim, kvDim, kvDim).
     *
     * @throws IllegalArgumentException when the number of choices does not match the tensors
     */
    static int[][] keptAttentionRows(ModelArchitecture arch, List<EncodedChoice> choices) {
        return keptAttentionRows(arch, arch.linearTensors(), choices);
    }

    /** {@link #keptAttentionRows(ModelArchitecture, List)} for the tensors {@code ts} (one choice each) of {@code arch}'s blocks. */
    static int[][] keptAttentionRows(ModelArchitecture arch, List<TensorSpec> ts, List<EncodedChoice> choices) {
        if (choices.size() != ts.size()) throw new IllegalArgumentException(choices.size() + " choices for " + ts.size() + " tensors");
        int[][] kept = new int[arch.layers()][];
        for (int l = 0; l < kept.length; l++) kept[l] = new int[] {arch.qDim(), arch.kvDim(), arch.kvDim()};
        for (int i = 0; i < ts.size(); i++) {
            TensorSpec t = ts.get(i);
            int slot = switch (t.role()) {
                case Q -> 0;
                case K -> 1;
                case V -> 2;
                default -> -1;
            };
            if (slot >= 0) kept[t.layer()][slot] = choices.get(i).keptRows();
        }
        return kept;
    }

    /** Exact weight bytes of a candidate given as encoded choices (kept shapes; removed tensors count 0). */
    public static long weightBytes(List<EncodedChoice> choices) {
        long sum = 0;
        for (EncodedChoice e : choices) sum = Math.addExact(sum, e.weightBytes());
        return sum;
    }

    /** Activation bytes (see the class comment). */
    public static long activationBytes(ModelArchitecture arch, Workload w, BackendCalibration c) {
        long ub = (long) Math.min((double) w.promptTokens(), c.ubatchTokens());
        long perUbatch = ub * (3L * arch.dim() + 2L * arch.hiddenDim());
        long scores = (long) arch.heads() * ub * w.contextTokens();
        return 4L * (perUbatch + scores + arch.vocabSize());
    }

    /** Runtime bytes (see the class comment). */
    public static long runtimeBytes(ModelArchitecture arch, BackendCalibration c) {
        return (long) c.runtimeFixedBytes() + 4L * (2L * arch.layers() + 1) * arch.dim();
    }

    /** The full breakdown. */
    public static MemoryBreakdown of(ModelArchitecture arch, Map<String, TensorChoice> choices, Workload w, BackendCalibration c) {
        return new MemoryBreakdown(weightBytes(arch, choices), kvCacheBytes(arch, w.contextTokens(), w.kvCacheBits(), c.ubatchTokens()),
                activationBytes(arch, w, c), runtimeBytes(arch, c));
    }

    /** The full breakdown of a candidate given as encoded choices, which may carry pruned shapes. */
    public static MemoryBreakdown of(ModelArchitecture arch, List<EncodedChoice> choices, Workload w, BackendCalibration c) {
        return of(arch, arch.linearTensors(), choices, w, c);
    }

    /**
     * The full breakdown of a candidate of the tensors {@code tensors} (a mixture of experts: its stored tensors and
     * routers, every byte resident) whose attention and activations are those of {@code arch}.
     */
    public static MemoryBreakdown of(ModelArchitecture arch, List<TensorSpec> tensors, List<EncodedChoice> choices, Workload w,
                                     BackendCalibration c) {
        return of(arch, tensors, choices, 0, w, c);
    }

    /** As above when the last {@code kvSharedLayers} blocks read an earlier block's KV cache and hold none. */
    public static MemoryBreakdown of(ModelArchitecture arch, List<TensorSpec> tensors, List<EncodedChoice> choices, int kvSharedLayers,
                                     Workload w, BackendCalibration c) {
        return of(new ModelTensors(arch, tensors, java.util.Collections.nCopies(tensors.size(), TensorReads.DENSE), kvSharedLayers), choices, w, c);
    }

    /** The full breakdown of a candidate of {@code model}: KV cache of the blocks that attend, state of those that do not. */
    public static MemoryBreakdown of(ModelTensors model, List<EncodedChoice> choices, Workload w, BackendCalibration c) {
        ModelArchitecture arch = model.architecture();
        return new MemoryBreakdown(weightBytes(choices), kvCacheBytes(model, choices, w.contextTokens(), w.kvCacheBits(), c.ubatchTokens()), stateBytes(model),
                activationBytes(arch, w, c), runtimeBytes(arch, c));
    }

    /** Mean stored bits per weight of a candidate: 8 x weight bytes / linear parameters. */
    public static double bitsPerWeight(ModelArchitecture arch, long weightBytes) {
        return 8.0 * weightBytes / arch.linearParameterCount();
    }
}
