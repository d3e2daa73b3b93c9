package org.edgefront.nativert;

import org.edgefront.nativert.device.*;
import org.edgefront.nativert.calibration.*;
import org.edgefront.nativert.reference.*;
import org.edgefront.nativert.tools.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.SlidingWindow;
import org.edgefront.space.io.GgufFile;
import org.edgefront.space.io.HadoopFiles;
import org.edgefront.space.io.ModelLoader;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;

/**
 * Where a simulated model's shape comes from: a catalog of {@link ModelDescriptor}s ({@code configs/models/*.yaml},
 * looked up by name with aliases and normalization) or the checkpoint itself (a Hugging Face {@code config.json} or
 * its directory, a GGUF file's metadata, a llama2.c header). Checkpoint readers here are lenient about architecture:
 * the simulator needs only shapes, so Gemma, Phi-3, Mixtral, OLMoE or Qwen3-MoE configs are read although the forward
 * pass cannot run them. Immutable and thread-safe.
 */
public final class ModelCatalog {
    private final List<ModelDescriptor> models;

    public ModelCatalog(List<ModelDescriptor> models) { this.models = List.copyOf(models); }

    /** Loads every descriptor of a directory ({@link ModelDescriptors#loadAll}). */
    public static ModelCatalog load(String dirUriOrPath) { return new ModelCatalog(ModelDescriptors.loadAll(dirUriOrPath)); }

    /** The catalog's descriptors, in file-name order. */
    public List<ModelDescriptor> models() { return models; }

    /**
     * The descriptor a free-text model name refers to, or null. Tried in order: exact name or alias (case-insensitive,
     * also the text before or inside a trailing parenthesis, as {@link ModelDescriptor#matches}); then the
     * {@link #normalize normalized} name equal to a normalized name or alias; then the longest normalized catalog name
     * that the row's normalized name starts with (a fine-tune or quantization suffix: "qwen-2.5-1.5b-gguf"); then the longest
     * catalog name with a size inside it (the base model a fine-tune names: "DeepSeek-R1-0528-Qwen3-8B"). When the
     * name fits several entries equally (no size in the name, "SmolLM2"), {@code paramsBillions} (the row's
     * {@code params_b}, NaN when unknown) picks the one whose stored parameter count is closest.
     */
    public ModelDescriptor find(String name, double paramsBillions) {
        List<ModelDescriptor> exact = models.stream().filter(m -> m.matches(name)).toList();
        if (!exact.isEmpty()) return closest(exact, paramsBillions);
        List<String> keys = candidates(name);
        List<ModelDescriptor> norm = new ArrayList<>();
        for (ModelDescriptor m : models) {
            for (String n : names(m)) if (keys.contains(n)) { norm.add(m); break; }
        }
        if (!norm.isEmpty()) return closest(norm, paramsBillions);
        int best = 0;
        List<ModelDescriptor> prefix = new ArrayList<>();
        for (ModelDescriptor m : models) {
            int len = 0;
            for (String n : names(m)) {
                for (String k : keys) if (k.startsWith(n + "-") && n.length() > len && hasSize(n)) len = n.length();
            }
            if (len > best) { best = len; prefix.clear(); }
            if (len > 0 && len == best) prefix.add(m);
        }
        if (!prefix.isEmpty()) return closest(prefix, paramsBillions);
        // a catalog name (with its size) inside the row's name: the base model a fine-tune or distillation names after
        // its own ("DeepSeek-R1-0528-Qwen3-8B", "Hermes-3-Llama-3.1-8B"); families split from their versions in every word
        best = 0;
        List<ModelDescriptor> inside = new ArrayList<>();
        for (ModelDescriptor m : models) {
            int len = 0;
            for (String n : names(m)) {
                if (!hasSize(n)) continue;
                String nn = "-" + splitFamilies(n) + "-";
                for (String k : keys) if (("-" + splitFamilies(k) + "-").contains(nn) && nn.length() > len) len = nn.length();
            }
            if (len > best) { best = len; inside.clear(); }
            if (len > 0 && len == best) inside.add(m);
        }
        return inside.isEmpty() ? null : closest(inside, paramsBillions);
    }

    /** Every word's family split from its version ("deepseek-r1-0528-qwen3-8b" gives "deepseek-r-1-0528-qwen-3-8b"). */
    private static String splitFamilies(String normalized) {
        return normalized.replaceAll("(?<=^|-)([a-z]+)([0-9])", "$1-$2");
    }

    /**
     * The dense catalog model (every block alike, no experts) whose stored parameter count is nearest
     * {@code paramsBillions}, if within a factor {@code maxRatio} of it; else null (also for NaN). A stand-in for a model
     * the catalog lacks: a decode step's time follows its weight bytes, which the parameter count fixes, far more
     * than its exact widths.
     */
    public ModelDescriptor nearestDense(double paramsBillions, double maxRatio) {
        if (!(paramsBillions > 0) || !(maxRatio >= 1)) return null;
        List<ModelDescriptor> dense = models.stream().filter(m -> !m.moe() && !m.perLayer()).toList();
        if (dense.isEmpty()) return null;
        ModelDescriptor best = closest(dense, paramsBillions);
        return sizeDistance(best, paramsBillions) <= Math.log(maxRatio) ? best : null;
    }

    /**
     * The mixture-of-experts catalog model whose stored parameter count is within a factor {@code maxTotalRatio} of
     * {@code totalBillions} and whose active count within {@code maxActiveRatio} of {@code activeBillions}, nearest by
     * the sum of both log distances; else null (also for NaN). A model's active count here is what a token multiplies:
     * its active architecture without an untied input embedding (a lookup of one row), as model cards count "A3B".
     */
    public ModelDescriptor nearestMoe(double totalBillions, double activeBillions, double maxTotalRatio, double maxActiveRatio) {
        if (!(totalBillions > 0) || !(activeBillions > 0) || !(maxTotalRatio >= 1) || !(maxActiveRatio >= 1)) return null;
        ModelDescriptor best = null;
        double bestErr = Double.POSITIVE_INFINITY;
        for (ModelDescriptor m : models) {
            if (!m.moe()) continue;
            double t = sizeDistance(m, totalBillions);
            double act = Math.abs(Math.log(activeParameters(m) / (activeBillions * 1e9)));
            if (t > Math.log(maxTotalRatio) || act > Math.log(maxActiveRatio)) continue;
            if (t + act < bestErr) { bestErr = t + act; best = m; }
        }
        return best;
    }

    /** Parameters one token multiplies: the active architecture less an untied input embedding. */
    public static double activeParameters(ModelDescriptor m) {
        org.edgefront.space.model.ModelArchitecture a = m.architecture();
        double lookup = a.tiedEmbeddings() ? 0 : (double) a.vocabSize() * a.dim();
        return a.parameterCount() - lookup;
    }

    private static final java.util.regex.Pattern ACTIVE_IN_NAME =
            java.util.regex.Pattern.compile("(?<![a-z0-9.])a([0-9]+(?:[._][0-9]+)?)([bm])(?![a-z0-9])");

    /**
     * The active parameter count, in billions, that a mixture of experts' name states ("Qwen3-30B-A3B": 3,
     * "Ling-lite-1.5-16.8B-A2.75B": 2.75, "ERNIE-4.5-21B-A3B-PT": 3, "granite-3.1-3b-a800m": 0.8), or NaN when it states none.
     */
    public static double activeInName(String name) { return billionsInName(ACTIVE_IN_NAME, name); }

    /** A prefix match needs a size in the catalog name ("qwen-2.5-1.5b"), so "qwen-2.5" never swallows every Qwen. */
    private static boolean hasSize(String normalized) { return normalized.matches(".*[0-9.]+[bm](-.*)?$") || normalized.matches(".*-e[0-9]+b.*"); }

    private static List<String> names(ModelDescriptor m) {
        List<String> out = new ArrayList<>();
        out.add(normalize(m.name()));
        for (String a : m.aliases()) out.add(normalize(a));
        return out;
    }

    /** The normalized whole name, the part before a trailing parenthesis, the part inside it. */
    private static List<String> candidates(String name) {
        String n = name.trim();
        List<String> out = new ArrayList<>();
        out.add(normalize(n));
        int open = n.indexOf('(');
        if (open > 0) {
            out.add(normalize(n.substring(0, open)));
            int close = n.lastIndexOf(')');
            if (close > open) out.add(normalize(n.substring(open + 1, close)));
        }
        return out;
    }

    private static ModelDescriptor closest(List<ModelDescriptor> ms, double paramsBillions) {
        if (ms.size() == 1 || Double.isNaN(paramsBillions)) return ms.get(0);
        ModelDescriptor best = ms.get(0);
        double bestErr = Double.POSITIVE_INFINITY;
        for (ModelDescriptor m : ms) {
            double err = sizeDistance(m, paramsBillions);
            if (err < bestErr) { bestErr = err; best = m; }
        }
        return best;
    }

    /** |log(stored parameters / paramsBillions x 1e9)|: how far a model's size lies from a stated one, either way. */
    private static double sizeDistance(ModelDescriptor m, double paramsBillions) {
        return Math.abs(Math.log(m.storedArchitecture().parameterCount() / (paramsBillions * 1e9)));
    }

    private static final List<String> QUALIFIERS = List.of("instruct", "chat", "it", "hf", "base", "gguf", "mlx", "pt", "tuned", "reasoning");

    /**
     * A model name reduced to a comparable key: lower case, organisation prefix dropped ("meta-llama/", and "Meta-"
     * before "Llama"), spaces, underscores and colons as '-', a '-' between a leading family word and its version
     * ("llama3.2" = "llama-3.2"), and the tokens instruct, chat, it, hf, base, gguf, mlx, pt, tuned, reasoning and a
     * context length ("4k", "128k") removed ("Qwen2.5-1.5B-Instruct" and "qwen2.5:1.5b" both give "qwen-2.5-1.5b"); a
     * file name loses its extension and the weight-format tags it ends with ("Phi-3-mini-4k-instruct-q4.gguf" gives
     * "phi-3-mini").
     */
    public static String normalize(String name) {
        String s = name.trim().toLowerCase(Locale.ROOT);
        int slash = s.lastIndexOf('/');
        if (slash >= 0) s = s.substring(slash + 1);
        // Meta's repository names ("Meta-Llama-3.1-8B-Instruct") are the model's name with the maker before it
        s = s.replaceAll("^meta[-_ ](?=llama)", "");
        // a file name: its extension, then the weight-format tags a file name ends with ("-q4_k_m", ".q4_0", "-f16")
        s = s.replaceAll("\\.(gguf|bin|safetensors|pte|onnx|tflite|task|litertlm|mlpackage)$", "");
        String before;
        do {
            before = s;
            s = s.replaceAll("[-._](i?q[0-9]+(_[0-9a-z]+)*|t?q[12]_0|f16|bf16|fp16|f32|fp32|int[248]|w[48]a(8|16)|[0-9]bit|awq|gptq)$", "");
        } while (!s.equals(before) && !s.isEmpty());
        s = s.replaceAll("[\\s_:]+", "-").replaceAll("[()\\[\\],]", "");
        s = s.replaceAll("^([a-z]+)([0-9])", "$1-$2");
        List<String> toks = new ArrayList<>(Arrays.asList(s.split("-+")));
        // qualifiers, and the context length a variant is named by ("phi-3-mini-128k": the same weights' shapes)
        toks.removeIf(t -> t.isEmpty() || QUALIFIERS.contains(t) || t.matches("[0-9]+k"));
        return String.join("-", toks);
    }

    private static final java.util.regex.Pattern SIZE_IN_NAME =
            java.util.regex.Pattern.compile("(?<![a-z0-9._])([0-9]+(?:[._][0-9]+)?)([bm])(?![a-z0-9])");

    /**
     * The parameter count a model's name states, in billions ("MobileLLM-R1-950M" 0.95, "OpenELM-1_1B" 1.1,
     * "Qwen1.5-1.8B-Chat" 1.8), or NaN when it states none. A size glued to a letter is not the model's ("A3B" active
     * parameters, Gemma 3n's "E2B" effective ones, "8x7B" experts).
     */
    public static double sizeInName(String name) { return billionsInName(SIZE_IN_NAME, name); }

    /** The first count {@code p} finds in a name's last path segment (group 1 the number, group 2 "b" or "m"), in billions. */
    private static double billionsInName(java.util.regex.Pattern p, String name) {
        String s = name.trim().toLowerCase(Locale.ROOT);
        s = s.substring(s.lastIndexOf('/') + 1).replaceAll("[\\s:-]+", " "); // '_' and '.' kept: "1_1b" and "1.8b" are sizes
        java.util.regex.Matcher m = p.matcher(s);
        if (!m.find()) return Double.NaN;
        double v = Double.parseDouble(m.group(1).replace('_', '.'));
        return m.group(2).equals("m") ? v / 1000 : v;
    }

    // ---------------------------------------------------------------- resolving a --model argument

    /**
     * Resolves {@code --model}: a descriptor YAML; a Hugging Face {@code config.json} or a directory holding one; a GGUF
     * file (metadata only); a llama2.c checkpoint (header); or else a catalog name.
     *
     * @throws InvalidInputException (exit 2) naming the file and field when a file is malformed, or listing the
     *                               catalog's names when the argument is neither a file nor a known name
     */
    public ModelDescriptor resolve(String model) {
        String m = model.trim();
        if (m.endsWith(".yaml") || m.endsWith(".yml")) return ModelDescriptors.load(m);
        Configuration conf = new Configuration();
        try {
            if (m.endsWith(".json")) return fromHuggingFaceConfig(m, ConfigFiles.read(m), parentName(m));
            boolean file = exists(m, conf);
            if (file && HadoopFiles.statusOrNull(m, conf).isDirectory()) {
                String cfg = HadoopFiles.child(m, "config.json");
                if (!exists(cfg, conf)) throw new InvalidInputException(m, "config.json", "directory has no config.json");
                return fromHuggingFaceConfig(cfg, ConfigFiles.read(cfg), lastSegment(m));
            }
            if (file) {
                if (GgufFile.hasMagic(m, conf)) return fromGguf(GgufFile.header(m, conf));
                try (ModelWeights w = ModelLoader.open(m)) {
                    return fromArchitecture(m, w.architecture());
                }
            }
        } catch (IOException e) {
            throw new InvalidInputException(m, "(file)", "cannot read: " + e.getMessage(), e);
        }
        ModelDescriptor d = find(m, Double.NaN);
        if (d == null) {
            throw new InvalidInputException(m, "--model", "neither a checkpoint (config.json, GGUF, llama2.c) nor a catalog model; known: "
                    + String.join(", ", models.stream().map(ModelDescriptor::name).toList()));
        }
        return d;
    }

    private static boolean exists(String uri, Configuration conf) throws IOException {
        try {
            return HadoopFiles.statusOrNull(uri, conf) != null;
        } catch (RuntimeException e) {
            return false; // not a path at all: a model name such as "qwen2.5:3b" reads as an unknown URI scheme
        }
    }

    private static String lastSegment(String uri) {
        String s = uri.replaceAll("/+$", "");
        return s.substring(s.lastIndexOf('/') + 1);
    }

    private static String parentName(String file) {
        String s = file.replaceAll("/+$", "");
        int i = s.lastIndexOf('/');
        return i <= 0 ? lastSegment(s) : lastSegment(s.substring(0, i));
    }

    /** The descriptor of an architecture that a checkpoint reader produced (dense, llama2.c or supported GGUF/HF). */
    public static ModelDescriptor fromArchitecture(String file, ModelArchitecture a) {
        return new ModelDescriptor(file, a.name(), a.family(), a.dim(), a.hiddenDim(), a.layers(), a.heads(), a.kvHeads(), a.headDim(),
                a.vocabSize(), a.maxSeqLen(), a.tiedEmbeddings(), List.of());
    }

    // ---------------------------------------------------------------- Hugging Face config.json

    /**
     * Reads a Hugging Face {@code config.json} (also a multimodal one whose language model sits under
     * {@code text_config}). Keys: hidden_size, intermediate_size, num_hidden_layers, num_attention_heads,
     * num_key_value_heads (default: heads), head_dim (default hidden / heads), vocab_size, max_position_embeddings,
     * tie_word_embeddings (default true for Gemma, false otherwise, as those classes define it), model_type
     * ({@code phi} is the Phi-2 family, {@code qwen2*} the biased-attention family, {@code qwen3*}, {@code gemma3*} (not
     * gemma3n) and {@code phi3} their own families, everything else Llama-like; {@code phimoe} is not {@code phi3}).
     * Mixture of experts: num_local_experts / num_experts / n_routed_experts, num_experts_per_tok,
     * moe_intermediate_size (else intermediate_size), shared_expert_intermediate_size or n_shared_experts. Hybrid models
     * ({@link #hybridGeometry}): {@code lfm2} and {@code qwen3_next} / {@code qwen3_5} / {@code qwen3_5_text}.
     *
     * @param fallbackName the name when config.json has no {@code _name_or_path} (the directory name)
     */
    public static ModelDescriptor fromHuggingFaceConfig(String file, String json, String fallbackName) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new InvalidInputException(file, "(json)", "not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw new InvalidInputException(file, "(root)", "not a JSON object");
        JsonNode c = root.has("text_config") && root.get("text_config").isObject() ? root.get("text_config") : root;
        String type = text(c, "model_type", text(root, "model_type", ""));
        ArchitectureFamily family = type.equals("phi") ? ArchitectureFamily.PHI2
                : type.startsWith("qwen2") ? ArchitectureFamily.QWEN2 : type.startsWith("qwen3") ? ArchitectureFamily.QWEN3
                : type.startsWith("gemma3") && !type.startsWith("gemma3n") ? ArchitectureFamily.GEMMA3
                : type.equals("gemma2") ? ArchitectureFamily.GEMMA2 : type.equals("smollm3") ? ArchitectureFamily.SMOLLM3
                : type.equals("phi3") ? ArchitectureFamily.PHI3 : ArchitectureFamily.LLAMA;
        int hidden = positive(file, c, "hidden_size", "n_embd", "d_model");
        int layers = positive(file, c, "num_hidden_layers", "n_layer", "num_layers");
        int heads = positive(file, c, "num_attention_heads", "n_head", "num_heads");
        int kv = c.hasNonNull("num_key_value_heads") ? positive(file, c, "num_key_value_heads") : heads;
        if (kv > heads || heads % kv != 0) throw new InvalidInputException(file, "num_key_value_heads", kv + " does not divide " + heads);
        int headDim = c.hasNonNull("head_dim") ? positive(file, c, "head_dim") : hidden / heads;
        if (headDim < 1) throw new InvalidInputException(file, "head_dim", "hidden_size / num_attention_heads is below 1");
        int vocab = positive(file, c, "vocab_size");
        int ctx = c.hasNonNull("max_position_embeddings") ? positive(file, c, "max_position_embeddings")
                : c.hasNonNull("n_positions") ? positive(file, c, "n_positions") : 2048;
        if (type.equals("lfm2_moe") || type.startsWith("qwen3_5_moe")) {
            throw new InvalidInputException(file, "model_type", type + ": experts in a hybrid model are not modelled by the simulator");
        }
        boolean lfm2 = type.equals("lfm2");
        // LFM2's own configs say tie_embedding (transformers reads it first); its class ties by default
        boolean tied = lfm2 && c.has("tie_embedding") ? c.get("tie_embedding").asBoolean()
                : c.has("tie_word_embeddings") ? c.get("tie_word_embeddings").asBoolean()
                : root.has("tie_word_embeddings") ? root.get("tie_word_embeddings").asBoolean() : type.startsWith("gemma") || lfm2;
        int experts = c.hasNonNull("num_local_experts") ? positive(file, c, "num_local_experts")
                : c.hasNonNull("num_experts") ? positive(file, c, "num_experts")
                : c.hasNonNull("n_routed_experts") ? positive(file, c, "n_routed_experts") : 0;
        ExpertLayout moe = null;
        int ffn;
        if (experts >= 2) {
            int active = positive(file, c, "num_experts_per_tok");
            int width = c.hasNonNull("moe_intermediate_size") ? positive(file, c, "moe_intermediate_size") : positive(file, c, "intermediate_size");
            int shared = c.hasNonNull("shared_expert_intermediate_size") ? c.get("shared_expert_intermediate_size").asInt()
                    : c.hasNonNull("n_shared_experts") ? c.get("n_shared_experts").asInt() * width : 0;
            if (active > experts) throw new InvalidInputException(file, "num_experts_per_tok", active + " exceeds " + experts + " experts");
            if (shared < 0) throw new InvalidInputException(file, "shared_expert_intermediate_size", "negative");
            // DeepSeek-V2/V3, GLM-4.5/4.7, Kimi: the first k blocks keep a dense FFN of intermediate_size
            int dense = c.hasNonNull("first_k_dense_replace") ? nonNegative(file, c, "first_k_dense_replace") : 0;
            if (dense > layers) throw new InvalidInputException(file, "first_k_dense_replace", dense + " exceeds num_hidden_layers " + layers);
            if (c.hasNonNull("moe_layer_freq") && !(c.get("moe_layer_freq").isIntegralNumber() && c.get("moe_layer_freq").asInt() == 1)) {
                throw new InvalidInputException(file, "moe_layer_freq", c.get("moe_layer_freq") + ": expert blocks other than every block after the "
                        + "first_k_dense_replace are not modelled by the simulator");
            }
            moe = new ExpertLayout(experts, active, width, shared, dense);
            ffn = dense > 0 ? positive(file, c, "intermediate_size") : width; // the dense blocks' width, when there are any
        } else if (c.has("intermediate_size") && c.get("intermediate_size").isArray()) {
            ffn = positive(file, c.get("intermediate_size"), 0); // Gemma 3n: one width per block, read below
        } else if (lfm2) {
            ffn = lfm2FeedForward(file, c);
        } else {
            ffn = positive(file, c, "intermediate_size", "n_inner", "ffn_dim");
        }
        LayerGeometry geometry = hybridGeometry(file, c, type, layers, ffn);
        if (geometry != null && moe != null) {
            throw new InvalidInputException(file, "num_experts", "experts in a hybrid model (" + type + ") are not modelled by the simulator");
        }
        if (geometry == null) geometry = perLayerGeometry(file, c, layers, heads, kv, headDim);
        if (geometry != null && moe != null) throw new InvalidInputException(file, "enable_moe_block", "per-layer geometry with experts is not supported");
        LatentAttention latent = latentAttention(file, c);
        if (latent != null) {
            if (geometry != null) throw new InvalidInputException(file, "kv_lora_rank", "latent attention with per-layer geometry is not modelled by the simulator");
            kv = heads; // the decompressed heads; the cache is the latent's
            headDim = latent.qkHeadDim();
        }
        SlidingWindow window = slidingWindow(file, c, type, layers);
        String name = text(root, "_name_or_path", "");
        if (name.isBlank()) name = fallbackName;
        name = name.substring(name.lastIndexOf('/') + 1);
        return new ModelDescriptor(file, name, family, hidden, ffn, layers, heads, kv, headDim, vocab, ctx, tied, List.of(), moe, geometry, latent,
                window);
    }

    /**
     * The sliding window of a config.json, as llama.cpp runs the model: Gemma 2 ({@code sliding_window}, default 4096, every
     * other layer local), Gemma 3 ({@code sliding_window}, {@code sliding_window_pattern} default 6), Gemma 3n
     * ({@code sliding_window} default 512, every fifth layer global) and any model whose
     * {@code layer_types} name {@code sliding_attention} layers (gpt-oss) in a period whose last layer is global; none for
     * the others (llama.cpp runs Mistral's and Phi-3's {@code sliding_window} as full attention, Qwen2's
     * {@code use_sliding_window} is off). Local layers of another layout are refused by name.
     */
    private static SlidingWindow slidingWindow(String file, JsonNode c, String type, int layers) {
        boolean gemma2 = type.equals("gemma2"), gemma3n = type.startsWith("gemma3n"), gemma3 = type.startsWith("gemma3") && !gemma3n;
        JsonNode types = c.get("layer_types");
        boolean slidingTypes = false;
        if (types != null && types.isArray()) for (JsonNode t : types) slidingTypes |= "sliding_attention".equals(t.asText());
        if (!gemma2 && !gemma3 && !gemma3n && !slidingTypes) return SlidingWindow.NONE;
        int window = c.hasNonNull("sliding_window") ? positive(file, c, "sliding_window") : gemma2 || gemma3 ? 4096 : gemma3n ? 512 : -1;
        if (window < 0) throw new InvalidInputException(file, "sliding_window", "missing, while layer_types names sliding_attention layers");
        int pattern;
        if (slidingTypes) {
            if (types.size() != layers) throw new InvalidInputException(file, "layer_types", types.size() + " layer types for " + layers + " layers");
            pattern = 0;
            while (pattern < layers && !"full_attention".equals(types.get(pattern).asText())) pattern++;
            pattern++;
            if (pattern > layers || pattern < 2) {
                throw new InvalidInputException(file, "layer_types", "local layers must come in a period that ends with one full_attention layer");
            }
            for (int l = 0; l < layers; l++) {
                boolean local = l % pattern != pattern - 1;
                if (!types.get(l).asText().equals(local ? "sliding_attention" : "full_attention")) {
                    throw new InvalidInputException(file, "layer_types[" + l + "]", types.get(l) + " breaks the period of " + pattern
                            + " local and global layers; that layout is not modelled by the simulator");
                }
            }
        } else if (gemma2) {
            pattern = 2;
        } else if (gemma3n) {
            pattern = 5; // transformers' Gemma3nTextConfig: every fifth layer full_attention
        } else {
            String key = c.hasNonNull("sliding_window_pattern") ? "sliding_window_pattern" : "_sliding_window_pattern";
            pattern = c.hasNonNull(key) ? positive(file, c, key) : 6;
        }
        return pattern < 2 ? SlidingWindow.NONE : new SlidingWindow(window, pattern, 10000.0);
    }

    /**
     * Multi-head latent attention from a config.json ({@code kv_lora_rank} present: DeepSeek-V2/V3, GLM-4.7-Flash's
     * {@code glm4_moe_lite}, Kimi, Moonlight, MiniCPM3): {@code q_lora_rank} (null: a direct query projection),
     * {@code kv_lora_rank}, {@code qk_nope_head_dim}, {@code qk_rope_head_dim}, {@code v_head_dim}, each required; null
     * for any other attention.
     */
    private static LatentAttention latentAttention(String file, JsonNode c) {
        if (!c.hasNonNull("kv_lora_rank")) return null;
        int qLora = c.hasNonNull("q_lora_rank") ? nonNegative(file, c, "q_lora_rank") : 0;
        int kvLora = positive(file, c, "kv_lora_rank");
        int nope = positive(file, c, "qk_nope_head_dim");
        if (!c.hasNonNull("qk_rope_head_dim")) throw new InvalidInputException(file, "qk_rope_head_dim", "missing (latent attention needs it)");
        int rope = nonNegative(file, c, "qk_rope_head_dim");
        int v = positive(file, c, "v_head_dim");
        try {
            return new LatentAttention(qLora, kvLora, nope, rope, v);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file, "kv_lora_rank", e.getMessage());
        }
    }

    /** The hybrid models whose configs {@link #hybridGeometry} reads: LFM2, Qwen3-Next, Qwen3.5 (text). */
    private static boolean hybridType(String type) {
        return type.equals("lfm2") || type.equals("qwen3_next") || type.equals("qwen3_5") || type.equals("qwen3_5_text");
    }

    /**
     * The block kinds and mixer shapes of a hybrid text config ({@link LayerGeometry#hybrid}), or null for any other
     * model. LFM2 ({@code lfm2}): {@code layer_types}, else {@code full_attn_idxs}, else every block attends (as
     * transformers' Lfm2Config); {@code conv_L_cache} (default 3, as transformers). Qwen3-Next and Qwen3.5
     * ({@code qwen3_next}, {@code qwen3_5}, {@code qwen3_5_text}): {@code layer_types}, else every
     * {@code full_attention_interval}-th block attends; {@code linear_num_key_heads}, {@code linear_num_value_heads},
     * {@code linear_key_head_dim}, {@code linear_value_head_dim}, {@code linear_conv_kernel_dim} (required: no default is
     * assumed); {@code attn_output_gate} (default true: Qwen3-Next's attention is always gated). A {@code conv},
     * {@code linear_attention} or Mamba block in any other model type (Granite 4's {@code layer_types}) is refused by
     * name: costing it as attention would be silently wrong, and its shapes would be guesses.
     */
    static LayerGeometry hybridGeometry(String file, JsonNode c, String type, int layers, int ffn) {
        if (!hybridType(type)) {
            JsonNode types = c.get("layer_types");
            if (types != null && types.isArray()) {
                for (int l = 0; l < types.size(); l++) {
                    String t = types.get(l).asText();
                    if (t.equals("conv") || t.equals("linear_attention") || t.contains("mamba")) {
                        throw new InvalidInputException(file, "layer_types[" + l + "]", "'" + t + "' blocks of model_type '" + type
                                + "' are not modelled by the simulator (LFM2, Qwen3-Next and Qwen3.5 are)");
                    }
                }
            }
            return null;
        }
        List<BlockKind> kinds;
        if (c.has("layer_types")) {
            kinds = layerTypes(file, c.get("layer_types"), layers);
        } else if (type.equals("lfm2")) {
            kinds = new ArrayList<>(java.util.Collections.nCopies(layers, BlockKind.SHORT_CONV));
            JsonNode idx = c.get("full_attn_idxs");
            if (idx == null || idx.isNull()) {
                java.util.Collections.fill(kinds, BlockKind.ATTENTION);
            } else {
                if (!idx.isArray()) throw new InvalidInputException(file, "full_attn_idxs", "must be a list of layer indices");
                for (int i = 0; i < idx.size(); i++) {
                    JsonNode v = idx.get(i);
                    if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() >= layers) {
                        throw new InvalidInputException(file, "full_attn_idxs[" + i + "]", "must be a layer index in [0, " + layers + "), got " + v);
                    }
                    kinds.set(v.asInt(), BlockKind.ATTENTION);
                }
            }
        } else {
            int interval = c.hasNonNull("full_attention_interval") ? positive(file, c, "full_attention_interval") : 4;
            kinds = new ArrayList<>();
            for (int l = 0; l < layers; l++) kinds.add((l + 1) % interval == 0 ? BlockKind.ATTENTION : BlockKind.LINEAR_ATTENTION);
        }
        LayerGeometry.ShortConvolution conv = null;
        LayerGeometry.GatedDeltaNet gdn = null;
        boolean gate = false;
        if (type.equals("lfm2")) {
            if (kinds.contains(BlockKind.LINEAR_ATTENTION)) throw new InvalidInputException(file, "layer_types", "LFM2 has no linear_attention blocks");
            int kernel = c.hasNonNull("conv_L_cache") ? positive(file, c, "conv_L_cache") : 3;
            if (kernel < 2) throw new InvalidInputException(file, "conv_L_cache", "a causal convolution needs at least 2 taps, got " + kernel);
            if (kinds.contains(BlockKind.SHORT_CONV)) conv = new LayerGeometry.ShortConvolution(kernel);
        } else {
            if (kinds.contains(BlockKind.SHORT_CONV)) throw new InvalidInputException(file, "layer_types", type + " has no conv blocks");
            if (kinds.contains(BlockKind.LINEAR_ATTENTION)) {
                int keyHeads = positive(file, c, "linear_num_key_heads"), valueHeads = positive(file, c, "linear_num_value_heads");
                if (valueHeads % keyHeads != 0) {
                    throw new InvalidInputException(file, "linear_num_value_heads", valueHeads + " is not a multiple of linear_num_key_heads " + keyHeads);
                }
                int kernel = positive(file, c, "linear_conv_kernel_dim");
                if (kernel < 2) throw new InvalidInputException(file, "linear_conv_kernel_dim", "a causal convolution needs at least 2 taps, got " + kernel);
                gdn = new LayerGeometry.GatedDeltaNet(keyHeads, valueHeads, positive(file, c, "linear_key_head_dim"),
                        positive(file, c, "linear_value_head_dim"), kernel);
            }
            JsonNode g = c.get("attn_output_gate");
            if (g != null && !g.isNull() && !g.isBoolean()) throw new InvalidInputException(file, "attn_output_gate", "must be true or false, got " + g);
            gate = g == null || g.isNull() || g.asBoolean();
        }
        try {
            return LayerGeometry.hybrid(java.util.Collections.nCopies(layers, ffn), kinds, conv, gdn, gate);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file, "layer_types", e.getMessage());
        }
    }

    /** Hugging Face {@code layer_types}: one block kind per layer ({@link BlockKind#ofLayerType}). */
    private static List<BlockKind> layerTypes(String file, JsonNode types, int layers) {
        if (!types.isArray()) throw new InvalidInputException(file, "layer_types", "must be a list of strings");
        if (types.size() != layers) throw new InvalidInputException(file, "layer_types", types.size() + " types for " + layers + " layers");
        List<BlockKind> kinds = new ArrayList<>(layers);
        for (int l = 0; l < layers; l++) {
            JsonNode t = types.get(l);
            try {
                if (!t.isTextual()) throw new IllegalArgumentException("must be a string, got " + t);
                kinds.add(BlockKind.ofLayerType(t.asText()));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(file, "layer_types[" + l + "]", e.getMessage());
            }
        }
        return kinds;
    }

    /**
     * LFM2's FFN width as transformers' Lfm2MLP computes it: {@code block_ff_dim} (else {@code intermediate_size}); when
     * {@code block_auto_adjust_ff_dim} (default true) two thirds of it, truncated, then, when
     * {@code block_ffn_dim_multiplier} is not null (default 1.0), times the multiplier, truncated, rounded up to a
     * multiple of {@code block_multiple_of} (default 256). LFM2-1.2B: block_ff_dim 12288 gives 8192.
     */
    static int lfm2FeedForward(String file, JsonNode c) {
        int base = c.hasNonNull("block_ff_dim") ? positive(file, c, "block_ff_dim") : positive(file, c, "intermediate_size");
        JsonNode auto = c.get("block_auto_adjust_ff_dim");
        if (auto != null && !auto.isNull() && !auto.isBoolean()) throw new InvalidInputException(file, "block_auto_adjust_ff_dim", "must be true or false, got " + auto);
        if (auto != null && !auto.isNull() && !auto.asBoolean()) return base;
        long width = (long) (2.0 * base / 3.0); // Python's int(2 * x / 3)
        JsonNode mult = c.has("block_ffn_dim_multiplier") ? c.get("block_ffn_dim_multiplier") : com.fasterxml.jackson.databind.node.DoubleNode.valueOf(1.0);
        if (!mult.isNull()) {
            if (!mult.isNumber() || !(mult.asDouble() > 0) || Double.isInfinite(mult.asDouble())) {
                throw new InvalidInputException(file, "block_ffn_dim_multiplier", "must be a positive number or null, got " + mult);
            }
            width = (long) (mult.asDouble() * width);
            int multiple = c.hasNonNull("block_multiple_of") ? positive(file, c, "block_multiple_of") : 256;
            width = multiple * ((width + multiple - 1) / multiple);
        }
        if (width < 1 || width > Integer.MAX_VALUE) throw new InvalidInputException(file, "block_ff_dim", "gives an FFN width of " + width);
        return (int) width;
    }

    /**
     * The per-block shapes of a Gemma 3n or Gemma 4 text config ({@link LayerGeometry}), or null when its blocks are all
     * alike: {@code intermediate_size} as a list, {@code use_double_wide_mlp} (twice the width on the KV-shared blocks),
     * {@code layer_types} with {@code global_head_dim} / {@code num_global_key_value_heads} on the full-attention blocks,
     * {@code num_kv_shared_layers}, {@code hidden_size_per_layer_input} / {@code vocab_size_per_layer_input},
     * {@code laurel_rank}, {@code altup_num_inputs}. Gemma 4's {@code attention_k_eq_v} (values are the keys) and
     * {@code enable_moe_block} are refused by name rather than simulated as something else.
     */
    private static LayerGeometry perLayerGeometry(String file, JsonNode c, int layers, int heads, int kv, int headDim) {
        boolean listWidths = c.has("intermediate_size") && c.get("intermediate_size").isArray();
        int shared = c.hasNonNull("num_kv_shared_layers") ? nonNegative(file, c, "num_kv_shared_layers") : 0;
        int ple = c.hasNonNull("hidden_size_per_layer_input") ? nonNegative(file, c, "hidden_size_per_layer_input") : 0;
        int laurel = c.hasNonNull("laurel_rank") ? nonNegative(file, c, "laurel_rank") : 0;
        int altup = c.hasNonNull("altup_num_inputs") ? positive(file, c, "altup_num_inputs") : 1;
        boolean globalShape = c.hasNonNull("global_head_dim") || c.hasNonNull("num_global_key_value_heads");
        if (!listWidths && shared == 0 && ple == 0 && laurel == 0 && altup == 1 && !globalShape) return null;
        if (c.path("attention_k_eq_v").asBoolean(false)) {
            throw new InvalidInputException(file, "attention_k_eq_v", "keys reused as values are not modelled by the simulator");
        }
        if (c.path("enable_moe_block").asBoolean(false)) {
            throw new InvalidInputException(file, "enable_moe_block", "Gemma 4's expert blocks are not modelled by the simulator");
        }
        if (shared >= layers) throw new InvalidInputException(file, "num_kv_shared_layers", shared + " of " + layers + " layers");
        List<Integer> widths = new ArrayList<>();
        if (listWidths) {
            JsonNode w = c.get("intermediate_size");
            // a one-element list is one width for every block
            if (w.size() != layers && w.size() != 1) throw new InvalidInputException(file, "intermediate_size", w.size() + " widths for " + layers + " layers");
            for (int l = 0; l < layers; l++) widths.add(positive(file, w, w.size() == 1 ? 0 : l));
        } else {
            int base = positive(file, c, "intermediate_size");
            boolean doubleWide = c.path("use_double_wide_mlp").asBoolean(false);
            for (int l = 0; l < layers; l++) widths.add(doubleWide && l >= layers - shared ? Math.multiplyExact(2, base) : base);
        }
        List<Integer> global = new ArrayList<>();
        int globalHeadDim = c.hasNonNull("global_head_dim") ? positive(file, c, "global_head_dim") : headDim;
        int globalKv = c.hasNonNull("num_global_key_value_heads") ? positive(file, c, "num_global_key_value_heads") : kv;
        if (globalShape && c.has("layer_types") && c.get("layer_types").isArray()) {
            JsonNode types = c.get("layer_types");
            if (types.size() != layers) throw new InvalidInputException(file, "layer_types", types.size() + " types for " + layers + " layers");
            for (int l = 0; l < layers; l++) if ("full_attention".equals(types.get(l).asText())) global.add(l);
        } else if (globalShape && (globalHeadDim != headDim || globalKv != kv)) {
            throw new InvalidInputException(file, "layer_types", "needed to place global_head_dim / num_global_key_value_heads");
        }
        if (globalKv > heads || heads % globalKv != 0) throw new InvalidInputException(file, "num_global_key_value_heads", globalKv + " does not divide " + heads);
        int pleVocab = ple > 0 ? positive(file, c, "vocab_size_per_layer_input") : 0;
        try {
            return new LayerGeometry(widths, global, globalHeadDim, globalKv, shared, ple, pleVocab, laurel, altup);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file, "text_config", e.getMessage());
        }
    }

    private static int nonNegative(String file, JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > Integer.MAX_VALUE) {
            throw new InvalidInputException(file, key, "must be a non-negative integer, got " + v);
        }
        return v.asInt();
    }

    /** Element {@code i} of a JSON list of widths ({@code intermediate_size[i]}). */
    private static int positive(String file, JsonNode list, int i) {
        JsonNode v = list.get(i);
        if (v == null || !v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > Integer.MAX_VALUE) {
            throw new InvalidInputException(file, "intermediate_size[" + i + "]", "must be a positive integer, got " + v);
        }
        return v.asInt();
    }

    private static String text(JsonNode n, String key, String fallback) {
        return n.hasNonNull(key) && n.get(key).isTextual() ? n.get(key).asText() : fallback;
    }

    private static int positive(String file, JsonNode n, String... keys) {
        for (String k : keys) {
            if (!n.hasNonNull(k)) continue;
            JsonNode v = n.get(k);
            if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
                throw new InvalidInputException(file, k, "must be a positive integer, got " + v);
            }
            return v.asInt();
        }
        throw new InvalidInputException(file, keys[0], "missing");
    }

    // ---------------------------------------------------------------- GGUF metadata

    /**
     * The descriptor of a GGUF file from its metadata ({@code ARCH.embedding_length}, {@code feed_forward_length},
     * {@code block_count}, {@code attention.head_count(_kv)}, {@code attention.key_length}, {@code context_length},
     * {@code expert_count}, {@code expert_used_count}, {@code expert_feed_forward_length},
     * {@code expert_shared_count} / {@code expert_shared_feed_forward_length}); vocabulary from
     * {@code tokenizer.ggml.tokens} or the embedding's dims; tied when there is no {@code output.weight}.
     */
    public static ModelDescriptor fromGguf(GgufFile.HeaderSummary h) {
        String f = h.file();
        String arch = h.strings().get("general.architecture");
        if (arch == null) throw new InvalidInputException(f, "general.architecture", "missing metadata key");
        String p = arch + ".";
        if (arch.equals("lfm2") || arch.equals("qwen35") || arch.equals("qwen3next")) return fromGgufHybrid(h, arch);
        if (h.arrayLengths().containsKey(p + "attention.head_count")) {
            throw new InvalidInputException(f, p + "attention.head_count", "per-layer head counts are not supported by the simulator");
        }
        boolean perLayerArrays = h.arrayLengths().containsKey(p + "feed_forward_length") || h.arrayLengths().containsKey(p + "attention.head_count_kv");
        if (perLayerArrays || arch.equals("gemma3n") || arch.equals("gemma4")) return fromGgufPerLayer(h, arch);
        int hidden = ggufInt(h, p + "embedding_length", -1);
        // GLM-4.7-Flash's multi-token-prediction block follows the trunk in block_count; llama.cpp does not run it to decode
        int nextn = h.numbers().containsKey(p + "attention.kv_lora_rank") ? ggufInt(h, p + "nextn_predict_layers", 0) : 0;
        int layers = ggufInt(h, p + "block_count", -1) - nextn;
        if (layers < 1) throw new InvalidInputException(f, p + "nextn_predict_layers", nextn + " leaves no block of block_count to run");
        int heads = ggufInt(h, p + "attention.head_count", -1);
        int kv = ggufInt(h, p + "attention.head_count_kv", heads);
        int headDim = ggufInt(h, p + "attention.key_length", hidden / heads);
        int ctx = ggufInt(h, p + "context_length", 2048);
        int experts = ggufInt(h, p + "expert_count", 0);
        int vocab = ggufVocab(h, p);
        if (kv < 1 || kv > heads || heads % kv != 0) throw new InvalidInputException(f, p + "attention.head_count_kv", kv + " does not divide " + heads);
        ExpertLayout moe = null;
        int ffn;
        if (experts >= 2) {
            int active = ggufInt(h, p + "expert_used_count", -1);
            int width = ggufInt(h, p + "expert_feed_forward_length", -2);
            if (width == -2) width = ggufInt(h, p + "feed_forward_length", -1);
            int sharedCount = ggufInt(h, p + "expert_shared_count", 0);
            int sharedWidth = sharedCount == 0 ? 0 : ggufInt(h, p + "expert_shared_feed_forward_length", width);
            if (active > experts) throw new InvalidInputException(f, p + "expert_used_count", active + " exceeds " + experts + " experts");
            int dense = ggufInt(h, p + "leading_dense_block_count", 0);
            if (dense > layers) throw new InvalidInputException(f, p + "leading_dense_block_count", dense + " exceeds block_count " + layers);
            moe = new ExpertLayout(experts, active, width, sharedCount * sharedWidth, dense);
            ffn = dense > 0 ? ggufInt(h, p + "feed_forward_length", -1) : width; // the dense blocks' width, when there are any
        } else {
            ffn = ggufInt(h, p + "feed_forward_length", -1);
        }
        LatentAttention latent = ggufLatentAttention(h, p, heads);
        if (latent != null) {
            kv = heads; // the decompressed heads (an MLA GGUF says 1: the latent cache's view); the cache is the latent's
            headDim = latent.qkHeadDim();
        }
        ArchitectureFamily family = arch.equals("phi2") ? ArchitectureFamily.PHI2
                : arch.startsWith("qwen2") ? ArchitectureFamily.QWEN2 : arch.startsWith("qwen3") ? ArchitectureFamily.QWEN3
                : arch.equals("gemma3") ? ArchitectureFamily.GEMMA3 : arch.equals("gemma2") ? ArchitectureFamily.GEMMA2
                : arch.equals("smollm3") ? ArchitectureFamily.SMOLLM3 : arch.equals("phi3") ? ArchitectureFamily.PHI3 : ArchitectureFamily.LLAMA;
        boolean tied = !h.tensorDims().containsKey("output.weight");
        return new ModelDescriptor(f, ggufName(h), family, hidden, ffn, layers, heads, kv, headDim, vocab, ctx, tied, List.of(), moe, null, latent,
                ggufSlidingWindow(h, arch, p, List.of()));
    }

    /**
     * The sliding window llama.cpp runs a GGUF with: {@code attention.sliding_window} tokens on the local layers of the
     * period {@code attention.sliding_window_pattern}, whose default is the architecture's as llama.cpp's
     * {@code load_swa_pattern} gives it ({@code gemma2}: window 4096, period 2; {@code gemma3}: period 6, only with a
     * window; {@code gpt-oss}: period 2; {@code gemma3n}: period 5); another architecture has local layers only when the
     * file states both keys. Where blocks of their own head shape are the global ones ({@code globalLayers}: Gemma 4,
     * whose pattern is a per-layer array), the period is the one their first closes; a per-layer array without such
     * blocks is refused by name.
     */
    private static SlidingWindow ggufSlidingWindow(GgufFile.HeaderSummary h, String arch, String p, List<Integer> globalLayers) {
        String windowKey = p + "attention.sliding_window", patternKey = p + "attention.sliding_window_pattern";
        int window = ggufInt(h, windowKey, arch.equals("gemma2") ? 4096 : 0);
        if (window == 0) return SlidingWindow.NONE;
        if (!globalLayers.isEmpty()) return new SlidingWindow(window, globalLayers.get(0) + 1, 10000.0);
        if (h.arrayLengths().containsKey(patternKey)) {
            throw new InvalidInputException(h.file(), patternKey, "a per-layer sliding-window pattern without blocks of their own head shape "
                    + "is not modelled by the simulator (one period is)");
        }
        Integer period = switch (arch) {
            case "gemma2", "gpt-oss" -> 2;
            case "gemma3" -> 6;
            case "gemma3n" -> 5;
            default -> null;
        };
        if (period == null && !h.numbers().containsKey(patternKey)) return SlidingWindow.NONE;
        int pattern = ggufInt(h, patternKey, period == null ? -1 : period);
        return pattern < 2 ? SlidingWindow.NONE : new SlidingWindow(window, pattern, 10000.0);
    }

    /**
     * Multi-head latent attention from a GGUF's metadata ({@code ARCH.attention.kv_lora_rank} present: llama.cpp's
     * {@code deepseek2}), or null. The query rank from {@code attn_q_a}'s shape, else {@code attention.q_lora_rank} (0 or
     * absent: a direct {@code attn_q}); the rotary width from {@code rope.dimension_count}; the head widths from
     * {@code attention.key_length_mla} / {@code value_length_mla} (files converted for llama.cpp's MLA, whose
     * {@code key_length} is the latent cache's), else {@code key_length} / {@code value_length} (legacy files). A legacy
     * file's unsplit {@code attn_kv_b} (no {@code attn_k_b}) runs decompressed ({@link LatentAttention#absorbed()} false).
     */
    private static LatentAttention ggufLatentAttention(GgufFile.HeaderSummary h, String p, int heads) {
        String f = h.file();
        if (!h.numbers().containsKey(p + "attention.kv_lora_rank")) return null;
        int kvLora = ggufInt(h, p + "attention.kv_lora_rank", -1);
        int rope = ggufInt(h, p + "rope.dimension_count", -1);
        int qLora = h.tensorDims().containsKey("blk.0.attn_q_a.weight") ? ggufDim(h, "blk.0.attn_q_a.weight", 1)
                : ggufInt(h, p + "attention.q_lora_rank", 0);
        boolean mlaKeys = h.numbers().containsKey(p + "attention.key_length_mla");
        int qk = ggufInt(h, p + (mlaKeys ? "attention.key_length_mla" : "attention.key_length"), -1);
        int v = ggufInt(h, p + (mlaKeys ? "attention.value_length_mla" : "attention.value_length"), -1);
        boolean legacy = h.tensorDims().containsKey("blk.0.attn_kv_b.weight") && !h.tensorDims().containsKey("blk.0.attn_k_b.weight");
        if (qk <= rope) throw new InvalidInputException(f, p + (mlaKeys ? "attention.key_length_mla" : "attention.key_length"),
                qk + " leaves no non-rotary key width beside rope.dimension_count " + rope);
        try {
            return new LatentAttention(qLora, kvLora, qk - rope, rope, v, !legacy && (mlaKeys || h.tensorDims().containsKey("blk.0.attn_k_b.weight")));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(f, p + "attention.kv_lora_rank", e.getMessage());
        }
    }

    /** The vocabulary of a GGUF: its tokenizer's token count, else the embedding's rows, else {@code vocab_size}. */
    private static int ggufVocab(GgufFile.HeaderSummary h, String p) {
        if (h.arrayLengths().containsKey("tokenizer.ggml.tokens")) return (int) Math.min(Integer.MAX_VALUE, h.arrayLengths().get("tokenizer.ggml.tokens"));
        List<Long> embd = h.tensorDims().get("token_embd.weight");
        if (embd != null && embd.size() == 2) return (int) Math.min(Integer.MAX_VALUE, embd.get(1));
        return ggufInt(h, p + "vocab_size", -1);
    }

    /** {@code general.name}, else the file name without {@code .gguf}. */
    private static String ggufName(GgufFile.HeaderSummary h) {
        String name = h.strings().getOrDefault("general.name", "");
        return name.isBlank() ? lastSegment(h.file()).replaceAll("\\.gguf$", "") : name;
    }

    /** Dimension {@code axis} of tensor {@code name} (ggml order), which must be a count an int holds. */
    private static int ggufDim(GgufFile.HeaderSummary h, String name, int axis) {
        List<Long> dims = h.tensorDims().get(name);
        if (dims == null || dims.size() <= axis) throw new InvalidInputException(h.file(), name, "missing or has no dimension " + axis);
        long d = dims.get(axis);
        if (d < 1 || d > Integer.MAX_VALUE) throw new InvalidInputException(h.file(), name, "dimension " + d + " is out of range");
        return (int) d;
    }

    /**
     * A GGUF whose blocks differ (Gemma 3n, Gemma 4, or per-layer {@code feed_forward_length} / {@code head_count_kv}
     * arrays): the shapes come from the tensors themselves, which say exactly what each block stores. Per block: the FFN
     * width from {@code ffn_up}, the head size from {@code attn_q}'s rows over the head count (blocks with another size are
     * the full-attention ones), K/V heads from {@code attn_k}; KV-shared blocks from {@code attention.shared_kv_layers} or
     * else the trailing blocks without {@code attn_k}; the per-layer input table, LAuReL rank and AltUp streams from
     * {@code per_layer_token_embd}, {@code laurel_l} and {@code altup_proj}.
     */
    private static ModelDescriptor fromGgufPerLayer(GgufFile.HeaderSummary h, String arch) {
        String f = h.file(), p = arch + ".";
        if (ggufInt(h, p + "expert_count", 0) > 0) throw new InvalidInputException(f, p + "expert_count", "experts in blocks of different shapes are not supported");
        int hidden = ggufInt(h, p + "embedding_length", -1);
        int layers = ggufInt(h, p + "block_count", -1);
        int heads = ggufInt(h, p + "attention.head_count", -1);
        List<Integer> widths = new ArrayList<>(), headDims = new ArrayList<>(), kvHeads = new ArrayList<>();
        int lastWithK = -1;
        for (int l = 0; l < layers; l++) {
            List<Long> up = h.tensorDims().get("blk." + l + ".ffn_up.weight"), q = h.tensorDims().get("blk." + l + ".attn_q.weight");
            if (up == null || up.size() != 2) throw new InvalidInputException(f, "blk." + l + ".ffn_up.weight", "missing or not a matrix: block shapes are read from it");
            if (q == null || q.size() != 2 || q.get(1) % heads != 0) {
                throw new InvalidInputException(f, "blk." + l + ".attn_q.weight", "missing or its rows are not " + heads + " heads");
            }
            widths.add(ggufDim(h, "blk." + l + ".ffn_up.weight", 1));
            int hd = ggufDim(h, "blk." + l + ".attn_q.weight", 1) / heads;
            headDims.add(hd);
            List<Long> k = h.tensorDims().get("blk." + l + ".attn_k.weight");
            if (k != null) {
                if (k.get(1) % hd != 0) throw new InvalidInputException(f, "blk." + l + ".attn_k.weight", "rows are not whole heads of " + hd);
                kvHeads.add(ggufDim(h, "blk." + l + ".attn_k.weight", 1) / hd);
                if (lastWithK != l - 1) throw new InvalidInputException(f, "blk." + l + ".attn_k.weight", "only the last blocks may lack attn_k (KV sharing)");
                lastWithK = l;
            } else {
                kvHeads.add(0);
            }
        }
        int shared = h.numbers().containsKey(p + "attention.shared_kv_layers") ? ggufInt(h, p + "attention.shared_kv_layers", 0) : layers - 1 - lastWithK;
        if (shared >= layers || layers - shared - 1 > lastWithK) {
            throw new InvalidInputException(f, p + "attention.shared_kv_layers", shared + " shared of " + layers + " blocks, but attn_k ends at block " + lastWithK);
        }
        // the common head size is the local blocks'; the full-attention blocks are the fewer, wider ones
        java.util.Map<Integer, Long> counts = new java.util.TreeMap<>();
        for (int d : headDims) counts.merge(d, 1L, Long::sum);
        int base = counts.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).orElseThrow().getKey();
        List<Integer> global = new ArrayList<>();
        int globalHeadDim = base, globalKv = -1, kv = -1;
        for (int l = 0; l < layers; l++) {
            int hd = headDims.get(l);
            if (hd != base) {
                if (globalHeadDim != base && hd != globalHeadDim) throw new InvalidInputException(f, "blk." + l + ".attn_q.weight", "a third head size " + hd);
                globalHeadDim = hd;
                global.add(l);
                if (kvHeads.get(l) > 0) globalKv = kvHeads.get(l);
            } else if (kvHeads.get(l) > 0) {
                kv = kvHeads.get(l);
            }
        }
        if (kv < 1) throw new InvalidInputException(f, "blk.0.attn_k.weight", "no block with the common head size has attn_k");
        if (globalKv < 1) globalKv = kv;
        int ple = 0, pleVocab = 0;
        List<Long> table = h.tensorDims().get(LayerGeometry.PER_LAYER_TABLE);
        if (table != null) {
            if (table.size() != 2 || table.get(0) % layers != 0) throw new InvalidInputException(f, LayerGeometry.PER_LAYER_TABLE, "not (layers x size) x vocabulary");
            ple = ggufDim(h, LayerGeometry.PER_LAYER_TABLE, 0) / layers;
            pleVocab = ggufDim(h, LayerGeometry.PER_LAYER_TABLE, 1);
        }
        List<Long> laurel = h.tensorDims().get("blk.0.laurel_l.weight");
        List<Long> altup = h.tensorDims().get("altup_proj.weight");
        int altupInputs = altup == null ? 1 : altup.size() == 3 ? ggufDim(h, "altup_proj.weight", 2) + 1 : 2;
        LayerGeometry g;
        try {
            g = new LayerGeometry(widths, global, globalHeadDim, globalKv, shared, ple, pleVocab,
                    laurel == null ? 0 : ggufDim(h, "blk.0.laurel_l.weight", 1), altupInputs);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(f, "(tensors)", e.getMessage());
        }
        return new ModelDescriptor(f, ggufName(h), ArchitectureFamily.LLAMA, hidden, widths.get(0), layers, heads, kv, base, ggufVocab(h, p),
                ggufInt(h, p + "context_length", 2048), !h.tensorDims().containsKey("output.weight"), List.of(), null, g, null,
                ggufSlidingWindow(h, arch, p, global));
    }

    /**
     * A hybrid GGUF (llama.cpp arch {@code lfm2}, {@code qwen35}, {@code qwen3next}), read from its tensors and keys as
     * llama.cpp loads it. Each block's kind from the tensors it stores: {@code shortconv.in_proj} (a short convolution),
     * {@code ssm_out} (a gated delta net) or {@code attn_q} (attention); its FFN width from {@code ffn_up}; the K/V heads
     * from {@code attn_k} over the head size ({@code attention.key_length}, else hidden / heads); an attention output gate
     * when {@code attn_q} has twice the query rows. The convolution's taps from {@code shortconv.l_cache}; the gated delta
     * net from {@code ssm.group_count} (key heads), {@code ssm.time_step_rank} (value heads), {@code ssm.state_size} (key
     * head size), {@code ssm.inner_size} (all value heads) and {@code ssm.conv_kernel}, checked against
     * {@code ssm_conv1d}'s and {@code ssm_out}'s shapes. Experts and multi-token-prediction blocks are refused by name.
     */
    private static ModelDescriptor fromGgufHybrid(GgufFile.HeaderSummary h, String arch) {
        String f = h.file(), p = arch + ".";
        if (ggufInt(h, p + "expert_count", 0) > 0) throw new InvalidInputException(f, p + "expert_count", "experts in a hybrid model are not modelled by the simulator");
        if (ggufInt(h, p + "nextn_predict_layers", 0) > 0) {
            throw new InvalidInputException(f, p + "nextn_predict_layers", "multi-token-prediction blocks are not modelled by the simulator");
        }
        if (h.arrayLengths().containsKey(p + "attention.head_count")) {
            throw new InvalidInputException(f, p + "attention.head_count", "per-layer head counts are not supported by the simulator");
        }
        int hidden = ggufInt(h, p + "embedding_length", -1);
        int layers = ggufInt(h, p + "block_count", -1);
        int heads = ggufInt(h, p + "attention.head_count", -1);
        if (hidden < 1 || layers < 1 || heads < 1) throw new InvalidInputException(f, p + "block_count", "hidden size, blocks and heads must be positive");
        int headDim = ggufInt(h, p + "attention.key_length", hidden / heads);
        if (headDim < 1) throw new InvalidInputException(f, p + "attention.key_length", "head size below 1");
        List<Integer> widths = new ArrayList<>();
        List<BlockKind> kinds = new ArrayList<>();
        int kv = -1, qRows = -1;
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".";
            widths.add(ggufDim(h, b + "ffn_up.weight", 1));
            if (h.tensorDims().containsKey(b + "shortconv.in_proj.weight")) {
                kinds.add(BlockKind.SHORT_CONV);
            } else if (h.tensorDims().containsKey(b + "ssm_out.weight")) {
                kinds.add(BlockKind.LINEAR_ATTENTION);
            } else if (h.tensorDims().containsKey(b + "attn_q.weight")) {
                kinds.add(BlockKind.ATTENTION);
                int q = ggufDim(h, b + "attn_q.weight", 1), k = ggufDim(h, b + "attn_k.weight", 1);
                if (k % headDim != 0) throw new InvalidInputException(f, b + "attn_k.weight", k + " rows are not whole heads of " + headDim);
                if ((kv >= 0 && k / headDim != kv) || (qRows >= 0 && q != qRows)) {
                    throw new InvalidInputException(f, b + "attn_q.weight", "attention blocks of different shapes are not supported");
                }
                kv = k / headDim;
                qRows = q;
            } else {
                throw new InvalidInputException(f, b + "attn_q.weight", "block " + l + " has neither attention (attn_q), a short convolution "
                        + "(shortconv.in_proj) nor a gated delta net (ssm_out)");
            }
        }
        if (kv < 1 || heads % kv != 0) throw new InvalidInputException(f, p + "attention.head_count_kv", "no attention block, or K/V heads " + kv + " do not divide " + heads);
        long q = (long) heads * headDim;
        if (qRows != q && qRows != 2 * q) {
            throw new InvalidInputException(f, "attn_q.weight", qRows + " rows are neither heads x head size " + q + " nor twice that (with the output gate)");
        }
        LayerGeometry.ShortConvolution conv = null;
        LayerGeometry.GatedDeltaNet gdn = null;
        if (kinds.contains(BlockKind.SHORT_CONV)) {
            conv = new LayerGeometry.ShortConvolution(h.numbers().containsKey(p + "shortconv.l_cache") ? ggufInt(h, p + "shortconv.l_cache", -1)
                    : ggufDim(h, "blk." + kinds.indexOf(BlockKind.SHORT_CONV) + ".shortconv.conv.weight", 0));
        }
        if (kinds.contains(BlockKind.LINEAR_ATTENTION)) {
            int keyHeads = ggufInt(h, p + "ssm.group_count", -1), valueHeads = ggufInt(h, p + "ssm.time_step_rank", -1);
            int inner = ggufInt(h, p + "ssm.inner_size", -1);
            if (keyHeads < 1 || valueHeads < 1 || inner % valueHeads != 0 || valueHeads % keyHeads != 0) {
                throw new InvalidInputException(f, p + "ssm.inner_size", inner + " is not whole value heads of " + valueHeads + " over " + keyHeads + " key heads");
            }
            try {
                gdn = new LayerGeometry.GatedDeltaNet(keyHeads, valueHeads, ggufInt(h, p + "ssm.state_size", -1), inner / valueHeads,
                        ggufInt(h, p + "ssm.conv_kernel", -1));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(f, p + "ssm", e.getMessage());
            }
            String b = "blk." + kinds.indexOf(BlockKind.LINEAR_ATTENTION) + ".";
            if (ggufDim(h, b + "ssm_conv1d.weight", 1) != gdn.convChannels() || ggufDim(h, b + "ssm_out.weight", 0) != gdn.valueDim()) {
                throw new InvalidInputException(f, b + "ssm_conv1d.weight", "shapes disagree with the ssm.* keys (" + gdn.convChannels()
                        + " convolution channels, " + gdn.valueDim() + " value dims expected)");
            }
        }
        LayerGeometry g;
        try {
            g = LayerGeometry.hybrid(widths, kinds, conv, gdn, qRows == 2 * q);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(f, "(tensors)", e.getMessage());
        }
        ArchitectureFamily family = arch.equals("lfm2") ? ArchitectureFamily.LLAMA : ArchitectureFamily.QWEN3;
        return new ModelDescriptor(f, ggufName(h), family, hidden, widths.get(0), layers, heads, kv, headDim, ggufVocab(h, p),
                ggufInt(h, p + "context_length", 2048), !h.tensorDims().containsKey("output.weight"), List.of(), null, g);
    }

    /** An integer metadata value; {@code fallback} when absent (-1: required, -2: absent is reported as -2). */
    private static int ggufInt(GgufFile.HeaderSummary h, String key, int fallback) {
        Double v = h.numbers().get(key);
        if (v == null) {
            if (fallback == -1) throw new InvalidInputException(h.file(), key, "missing metadata key");
            return fallback;
        }
        if (v < 0 || v > Integer.MAX_VALUE || v != Math.rint(v)) throw new InvalidInputException(h.file(), key, "value " + v + " is not a count");
        return v.intValue();
    }
}
