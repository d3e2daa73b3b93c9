package org.edgefront.nativert.device;

import org.edgefront.nativert.calibration.*;
import org.edgefront.nativert.reference.*;
import org.edgefront.nativert.tools.*;
import org.edgefront.nativert.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileSystem;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.SlidingWindow;
import org.edgefront.space.model.ArchitectureFamily;

/**
 * Reads {@link ModelDescriptor}s ({@code configs/models/*.yaml}) through Hadoop's FileSystem. Strict like
 * {@link DeviceProfiles}: schemaVersion required, unknown keys and missing or out-of-range fields are
 * {@link InvalidInputException}s naming file and field. Stateless and thread-safe.
 */
public final class ModelDescriptors {
    public static final int SCHEMA_VERSION = 1;

    private ModelDescriptors() {}

    /** Loads one descriptor from a URI or local path. */
    public static ModelDescriptor load(String uriOrPath) {
        return parse(uriOrPath, ConfigFiles.read(uriOrPath));
    }

    /** Loads every {@code *.yaml} in a directory, sorted by file name. */
    public static List<ModelDescriptor> loadAll(String dirUriOrPath) {
        return ConfigFiles.listYaml(dirUriOrPath).stream().map(ModelDescriptors::load).toList();
    }


    /** Parses descriptor YAML; {@code file} names it in errors. */
    public static ModelDescriptor parse(String file, String yaml) {
        ConfigNode r = ConfigNode.yamlRoot(file, yaml, SCHEMA_VERSION);
        String name = r.string("name");
        String fam = r.string("family");
        ArchitectureFamily family;
        try {
            family = ArchitectureFamily.valueOf(fam.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file, "family", "unknown family '" + fam + "' (" + java.util.Arrays.stream(ArchitectureFamily.values())
                    .map(v -> v.name().toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.joining(", ")) + ")");
        }
        int max = 1 << 24;
        int hidden = (int) r.wholeNumber("hiddenSize", 1, max);
        int ffn = (int) r.wholeNumber("intermediateSize", 1, max);
        int layers = (int) r.wholeNumber("layers", 1, 4096);
        int heads = (int) r.wholeNumber("heads", 1, 65536);
        int kv = (int) r.wholeNumber("kvHeads", 1, heads);
        if (heads % kv != 0) throw new InvalidInputException(file, "kvHeads", kv + " does not divide heads " + heads);
        int headDim = (int) r.wholeNumber("headDim", 1, max);
        int vocab = (int) r.wholeNumber("vocabSize", 1, max);
        int ctx = (int) r.wholeNumber("maxContextTokens", 1, max);
        boolean tied = r.bool("tiedEmbeddings");
        List<String> aliases = new ArrayList<>(r.strings("aliases"));
        ExpertLayout experts = null;
        if (r.has("experts")) {
            // mixture of experts: config.json num_local_experts / num_experts, num_experts_per_tok, moe_intermediate_size
            ConfigNode e = r.object("experts");
            int count = (int) e.wholeNumber("count", 2, 1 << 16);
            int active = (int) e.wholeNumber("active", 1, count);
            int width = (int) e.wholeNumber("intermediateSize", 1, max);
            int shared = e.has("sharedIntermediateSize") ? (int) e.wholeNumber("sharedIntermediateSize", 0, max) : 0;
            // config.json first_k_dense_replace: the first blocks keep a dense FFN of intermediateSize
            int dense = e.has("leadingDenseLayers") ? (int) e.wholeNumber("leadingDenseLayers", 0, layers) : 0;
            e.finish();
            experts = new ExpertLayout(count, active, width, shared, dense);
        }
        LatentAttention latent = null;
        if (r.has("latentAttention")) {
            // multi-head latent attention: config.json q_lora_rank (null: 0), kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim
            ConfigNode la = r.object("latentAttention");
            int qLora = (int) la.wholeNumber("qLoraRank", 0, max), kvLora = (int) la.wholeNumber("kvLoraRank", 1, max);
            int nope = (int) la.wholeNumber("qkNopeHeadDim", 1, max), rope = (int) la.wholeNumber("qkRopeHeadDim", 0, max);
            int v = (int) la.wholeNumber("vHeadDim", 1, max);
            la.finish();
            try {
                latent = new LatentAttention(qLora, kvLora, nope, rope, v);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(file, "latentAttention", e.getMessage());
            }
            if (kv != heads) throw new InvalidInputException(file, "kvHeads", "latent attention decompresses one key/value head per query head: " + heads);
            if (headDim != latent.qkHeadDim()) {
                throw new InvalidInputException(file, "headDim", headDim + " differs from latentAttention's qkNopeHeadDim + qkRopeHeadDim " + latent.qkHeadDim());
            }
        }
        SlidingWindow window = SlidingWindow.NONE;
        if (r.has("slidingWindow")) {
            // config.json sliding_window and its period: layer l is global when l % pattern == pattern - 1 (Gemma 3: 6, Gemma 2 and gpt-oss: 2)
            ConfigNode sw = r.object("slidingWindow");
            window = new SlidingWindow((int) sw.wholeNumber("tokens", 1, Integer.MAX_VALUE), (int) sw.wholeNumber("pattern", 2, layers), 10000.0);
            sw.finish();
        }
        LayerGeometry geometry = null;
        if (r.has("perLayer")) {
            // blocks that differ (Gemma 3n, Gemma 4; hybrids: LFM2, Qwen3.5): config.json's per-layer fields, see LayerGeometry
            ConfigNode g = r.object("perLayer");
            // one width per block; absent: intermediateSize for every block
            List<Integer> widths = g.has("intermediateSizes") ? g.wholeNumbers("intermediateSizes", 1, max) : java.util.Collections.nCopies(layers, ffn);
            if (widths.size() != layers) {
                throw new InvalidInputException(file, "perLayer.intermediateSizes", widths.size() + " widths for " + layers + " layers");
            }
            List<Integer> global = g.has("globalLayers") ? g.wholeNumbers("globalLayers", 0, layers - 1) : List.of();
            int globalHeadDim = g.has("globalHeadDim") ? (int) g.wholeNumber("globalHeadDim", 1, max) : headDim;
            int globalKv = g.has("globalKvHeads") ? (int) g.wholeNumber("globalKvHeads", 1, heads) : kv;
            if (heads % globalKv != 0) throw new InvalidInputException(file, "perLayer.globalKvHeads", globalKv + " does not divide heads " + heads);
            int shared = g.has("kvSharedLayers") ? (int) g.wholeNumber("kvSharedLayers", 0, layers - 1) : 0;
            int pleSize = g.has("perLayerInputSize") ? (int) g.wholeNumber("perLayerInputSize", 0, max) : 0;
            int pleVocab = pleSize > 0 ? (int) g.wholeNumber("perLayerInputVocab", 1, max) : 0;
            int laurel = g.has("laurelRank") ? (int) g.wholeNumber("laurelRank", 0, max) : 0;
            int altup = g.has("altupInputs") ? (int) g.wholeNumber("altupInputs", 1, 64) : 1;
            // hybrids: each block's token mixer (Hugging Face layer_types) and the mixers' shapes
            List<BlockKind> kinds = new ArrayList<>();
            if (g.has("blockKinds")) {
                List<String> names = g.strings("blockKinds");
                if (names.size() != layers) throw new InvalidInputException(file, "perLayer.blockKinds", names.size() + " kinds for " + layers + " layers");
                for (int l = 0; l < names.size(); l++) {
                    try {
                        kinds.add(BlockKind.ofLayerType(names.get(l)));
                    } catch (IllegalArgumentException e) {
                        throw new InvalidInputException(file, "perLayer.blockKinds[" + l + "]", e.getMessage());
                    }
                }
            }
            LayerGeometry.ShortConvolution conv = g.has("shortConvKernel")
                    ? new LayerGeometry.ShortConvolution((int) g.wholeNumber("shortConvKernel", 2, 4096)) : null;
            LayerGeometry.GatedDeltaNet gdn = null;
            if (g.has("linearAttention")) {
                ConfigNode la = g.object("linearAttention");
                int keyHeads = (int) la.wholeNumber("keyHeads", 1, 65536);
                int valueHeads = (int) la.wholeNumber("valueHeads", 1, 65536);
                if (valueHeads % keyHeads != 0) {
                    throw new InvalidInputException(file, "perLayer.linearAttention.valueHeads", valueHeads + " is not a multiple of keyHeads " + keyHeads);
                }
                gdn = new LayerGeometry.GatedDeltaNet(keyHeads, valueHeads, (int) la.wholeNumber("keyHeadDim", 1, 65536),
                        (int) la.wholeNumber("valueHeadDim", 1, 65536), (int) la.wholeNumber("convKernel", 2, 4096));
                la.finish();
            }
            boolean outputGate = g.has("attentionOutputGate") && g.bool("attentionOutputGate");
            g.finish();
            try {
                geometry = new LayerGeometry(widths, global, globalHeadDim, globalKv, shared, pleSize, pleVocab, laurel, altup, kinds, conv, gdn,
                        outputGate);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(file, "perLayer", e.getMessage()); // the message starts with the field
            }
            if (experts != null) throw new InvalidInputException(file, "perLayer", "per-layer geometry and experts together are not supported");
        }
        r.finish();
        return new ModelDescriptor(file, name, family, hidden, ffn, layers, heads, kv, headDim, vocab, ctx, tied, aliases, experts, geometry, latent, window);
    }
}
