package org.edgefront.nativert;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgefront.nativert.device.BlockKind;
import org.edgefront.nativert.device.LayerGeometry;
import org.edgefront.nativert.device.ModelDescriptor;
import org.edgefront.space.model.TensorSpec;

/**
 * GGUFs of hybrid catalog models (LFM2's short convolutions, Qwen3.5's gated delta nets) as llama.cpp's converter lays
 * them out: its u32 keys ({@code lfm2.shortconv.l_cache}, {@code qwen35.ssm.*}), {@code attn_q} holding q and the output
 * gate, every linear tensor in ggml's dimension order; headers only, or loadable with a hole for the data. Stateless.
 */
public final class HybridGgufs {
    private HybridGgufs() {}

    /** The header bytes (no data), with {@code override} replacing or adding u32 keys. */
    public static byte[] header(String arch, ModelDescriptor m, Map<String, Long> override) {
        Map<String, Long> u32 = u32(arch, m);
        u32.putAll(override);
        return HeaderOnlyGguf.of(Map.of("general.architecture", arch), u32, tensors(m));
    }

    /**
     * A file llama.cpp's model loader reads hyperparameters from (what {@code llama-quantize --dry-run} needs): the keys
     * of {@link #header} plus the FFN width, the K/V heads per block (0 on the blocks without attention, as llama.cpp's
     * LFM2 conversion writes them), the RMS norm epsilon and, for Qwen3.5, its rope sections.
     */
    public static void loadable(Path file, String arch, ModelDescriptor m) throws IOException {
        Map<String, Long> u32 = u32(arch, m);
        u32.put(arch + ".feed_forward_length", (long) m.intermediateSize());
        Map<String, long[]> arrays = new LinkedHashMap<>();
        List<BlockKind> kinds = m.geometry().blockKinds();
        long[] kv = new long[kinds.size()];
        for (int l = 0; l < kv.length; l++) kv[l] = kinds.get(l) == BlockKind.ATTENTION ? m.kvHeads() : 0;
        if (arch.equals("qwen35")) {
            u32.put(arch + ".attention.head_count_kv", (long) m.kvHeads());
            int interval = kinds.indexOf(BlockKind.ATTENTION) + 1;
            for (int l = 0; l < kinds.size(); l++) {
                if ((kinds.get(l) == BlockKind.ATTENTION) != ((l + 1) % interval == 0)) {
                    throw new IllegalArgumentException(m.name() + ": attention blocks are not every " + interval + "th");
                }
            }
            u32.put(arch + ".full_attention_interval", (long) interval);
            arrays.put(arch + ".rope.dimension_sections", new long[] {11, 11, 10, 0});
        } else {
            arrays.put(arch + ".attention.head_count_kv", kv);
        }
        HeaderOnlyGguf.loadable(file, new HeaderOnlyGguf.Keys(Map.of("general.architecture", arch), u32, arrays,
                Map.of(arch + ".attention.layer_norm_rms_epsilon", 1e-5f)), tensors(m));
    }

    private static Map<String, Long> u32(String arch, ModelDescriptor m) {
        LayerGeometry g = m.geometry();
        Map<String, Long> keys = new LinkedHashMap<>();
        keys.put(arch + ".embedding_length", (long) m.hiddenSize());
        keys.put(arch + ".block_count", (long) m.layers());
        keys.put(arch + ".attention.head_count", (long) m.heads());
        keys.put(arch + ".attention.key_length", (long) m.headDim());
        keys.put(arch + ".context_length", (long) m.maxContextTokens());
        if (g.shortConvolution() != null) keys.put(arch + ".shortconv.l_cache", (long) g.shortConvolution().kernel());
        if (g.gatedDeltaNet() != null) {
            LayerGeometry.GatedDeltaNet d = g.gatedDeltaNet();
            keys.put(arch + ".ssm.group_count", (long) d.keyHeads());
            keys.put(arch + ".ssm.time_step_rank", (long) d.valueHeads());
            keys.put(arch + ".ssm.state_size", (long) d.keyHeadDim());
            keys.put(arch + ".ssm.inner_size", (long) d.valueDim());
            keys.put(arch + ".ssm.conv_kernel", (long) d.convKernel());
        }
        return keys;
    }

    /** The linear tensors as llama.cpp stores them: the output gate inside attn_q (twice its rows). */
    public static List<HeaderOnlyGguf.Tensor> tensors(ModelDescriptor m) {
        List<long[]> dims = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (TensorSpec t : m.architecture().linearTensors()) {
            if (t.name().endsWith(".attn_q_gate.weight")) {
                dims.get(dims.size() - 1)[1] += t.rows();
                continue;
            }
            names.add(t.name());
            dims.add(new long[] {t.cols(), t.rows()});
        }
        List<HeaderOnlyGguf.Tensor> tensors = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) tensors.add(new HeaderOnlyGguf.Tensor(names.get(i), dims.get(i)));
        return tensors;
    }
}
