package org.edgefront.nativert.tools;

import org.edgefront.nativert.ExpertLayout;
import org.edgefront.nativert.LatentAttention;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.format.NamedFormat;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.nativert.device.LayerGeometry;

/**
 * Per-tensor choices for the format names deployments use: llama.cpp's whole-model file types ({@link FileType}:
 * what {@code llama-quantize MODEL OUT Q4_K_M} writes, tensor by tensor) and the 4-bit/2-bit schemes of other
 * engines by name. The one place EdgeFront keeps llama.cpp's per-tensor type rules.
 *
 * <p>The rules are EdgeFront's own implementation of what {@code llama_tensor_get_type} in llama.cpp's
 * {@code src/llama-quant.cpp} (the version EdgeFront's tests run) decides: the output tensor (and a tied token
 * embedding) one step up, the token embedding of the lowest-bit types raised, attn_v, attn_k, attn_q, attn_output and
 * ffn_down by file type, layer ({@code use_more_bits}: the first and last eighth of the layers and every third layer
 * between), grouped-query attention (n_gqa >= 4), importance matrix, 70B Llama/Qwen2 and 8-expert models; then
 * llama-quantize's shape fallback ({@link NamedFormat#storedFor(int)}). Checked tensor by tensor against the real
 * llama-quantize (FormatMixesLlamaCppTest, and Phi3FileTypesOracleTest for the stacks). Not modelled: Falcon's rules
 * (no Falcon architecture here). A Phi-3 GGUF stores q | k | v as one attn_qkv, which llama-quantize puts in attn_v's
 * category (same rules, same counters) and gate | up as one ffn_up: here the parts are held apart, so q and k take
 * v's type and gate up's, which is the type llama-quantize gives the stack. Stateless and thread-safe.
 */
public final class FormatMixes {
    private FormatMixes() {}

    /**
     * llama.cpp's file types ({@code llama_ftype}) as {@code llama-quantize} names them, each with the ggml type its
     * tensors default to ({@code llama_ftype_get_default_type}; a {@link NamedFormat} label, looked up by name).
     */
    public enum FileType {
        F32("F32"), F16("F16"), BF16("BF16"), Q8_0("Q8_0"), Q4_0("Q4_0"), Q4_1("Q4_1"), Q5_0("Q5_0"), Q5_1("Q5_1"),
        Q2_K("Q2_K"), Q2_K_S("Q2_K"), Q3_K_S("Q3_K"), Q3_K_M("Q3_K"), Q3_K_L("Q3_K"), Q4_K_S("Q4_K"), Q4_K_M("Q4_K"),
        Q5_K_S("Q5_K"), Q5_K_M("Q5_K"), Q6_K("Q6_K"),
        IQ1_S("IQ1_S"), IQ1_M("IQ1_M"), IQ2_XXS("IQ2_XXS"), IQ2_XS("IQ2_XS"),
        /** llama.cpp's IQ2_S file stores IQ2_XS tensors (and IQ3_S where it raises them); IQ2_M stores IQ2_S. */
        IQ2_S("IQ2_XS"), IQ2_M("IQ2_S"),
        IQ3_XXS("IQ3_XXS"), IQ3_XS("IQ3_S"), IQ3_S("IQ3_S"), IQ3_M("IQ3_S"), IQ4_NL("IQ4_NL"), IQ4_XS("IQ4_XS"),
        TQ1_0("TQ1_0"), TQ2_0("TQ2_0"),
        /**
         * llama.cpp's MXFP4_MOE (gpt-oss's GGUFs): a mixture of experts' expert tensors in MXFP4, every other tensor in
         * Q8_0 (llama_tensor_get_type_impl: 3-D tensors MXFP4, the rest and the output Q8_0; a dense model is all Q8_0).
         */
        MXFP4_MOE("Q8_0");

        private final String defaultType;

        FileType(String defaultType) { this.defaultType = defaultType; }

        /** The format label most tensors of this file type are stored in. */
        public String defaultType() { return defaultType; }

        /** True for the float file types, whose tensors llama.cpp never re-types. */
        public boolean isFloat() { return this == F32 || this == F16 || this == BF16; }

        /**
         * True when {@code llama-quantize} refuses to write this file type without an importance matrix (some of its
         * weight tensors land in IQ1_S/IQ1_M/IQ2_XXS/IQ2_XS/IQ2_S/IQ3_XXS, or Q2_K in a Q2_K_S file); such files
         * always come with one, so {@link #resolve(ModelArchitecture, String)} assumes one for them and none otherwise.
         */
        public boolean needsImportanceMatrix() {
            return switch (this) {
                case IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ2_M, IQ3_XXS, IQ3_XS, Q2_K_S -> true;
                default -> false;
            };
        }

        /** The file type named {@code name} (case-insensitive), or null. */
        public static FileType byName(String name) {
            for (FileType t : values()) if (t.name().equalsIgnoreCase(name.trim())) return t;
            return null;
        }
    }

    /** Every file type name, as {@code llama-quantize} takes it. */
    public static List<String> fileTypeNames() {
        return Arrays.stream(FileType.values()).map(Enum::name).toList();
    }

    /** Prefix that asks for one format on every tensor ({@code uniform:IQ2_S}), as llama-quantize --pure does. */
    public static final String UNIFORM_PREFIX = "uniform:";

    /** A file type named inside a longer label ("GGUF Q4_K_M (636 MiB)"); longest names first so Q4_K_M beats Q4_K. */
    private static final Pattern LLAMA_TYPE = Pattern.compile("(?<![A-Z0-9_])(" + Arrays.stream(FileType.values()).map(Enum::name)
            .sorted(Comparator.comparingInt(String::length).reversed()).collect(Collectors.joining("|")) + ")(?![A-Z0-9_])");

    /**
     * bartowski's "_L" uploads (his model cards: "Uses Q8_0 for embed and output weights"): Q2_K_L, Q4_K_L, Q5_K_L and
     * Q6_K_L are llama.cpp's Q2_K, Q4_K_M, Q5_K_M and Q6_K with the token embedding and the LM head in Q8_0, as
     * llama-quantize's --token-embedding-type q8_0 --output-tensor-type q8_0 write them. Q3_K_L is llama.cpp's own type.
     */
    private static final Pattern Q8_TABLES = Pattern.compile("(?<![A-Z0-9_])Q([2456])_K_L(?![A-Z0-9_])");

    /** Label patterns of {@link #resolve} (upper case): ExecuTorch's group size, Qualcomm's wNaM / ExecuTorch QNN's MaNw,
     *  the bits a GPTQ/AWQ label states, a 5- or 6-bit word. */
    private static final Pattern GROUP = Pattern.compile("\\bG(32|64|128|256)\\b");
    private static final Pattern HUB = Pattern.compile("^(?:W(\\d)(?:A\\d+)?|(?:\\d+)A(\\d)W)(?![0-9A-Z]).*");
    private static final Pattern STATED_BITS = Pattern.compile("\\b(?:INT([2-8])|([2-8])-?BIT)\\b");
    private static final Pattern FIVE_SIX_BIT = Pattern.compile("(?:INT([56])|([56])-?BIT)(\\s.*|\\(.*)?");

    /**
     * Resolves a format label (case-insensitive) to one choice per linear tensor: a llama.cpp file type (with an
     * importance matrix exactly when {@link FileType#needsImportanceMatrix()}, or when the label ends in {@code +imatrix}:
     * the type rules with one and its tensors rounded with it, {@link #importanceWeighted}), {@code uniform:FORMAT},
     * another engine's scheme by name, or any single format or choice label for every tensor.
     *
     * @throws IllegalArgumentException naming the label when it is not understood
     */
    public static Map<String, TensorChoice> resolve(ModelArchitecture a, String label) {
        return resolve(a, label, null);
    }

    /**
     * As {@link #resolve(ModelArchitecture, String)} for an architecture whose FFN tensors are, when {@code experts} is
     * not null, a mixture of experts' expert tensors stacked side by side in the blocks after its leading dense ones (a
     * mixture of experts' stored architecture): llama.cpp's rules that ask for the expert count (n_expert 8, n_expert
     * &gt;= 4) or for 3-D expert tensors (MXFP4_MOE) see them, and an expert's own row decides the shape fallback (a
     * stacked ffn_down's rows are one expert's width in llama.cpp's 3-D tensor).
     *
     * @param experts the stacked layout, or null for a dense model
     */
    public static Map<String, TensorChoice> resolve(ModelArchitecture a, String label, ExpertLayout experts) {
        ExpertLayout stackedExperts = experts;
        String trimmed = label.trim();
        if (trimmed.toUpperCase(Locale.ROOT).endsWith(IMATRIX_SUFFIX)) {
            String base = trimmed.substring(0, trimmed.length() - IMATRIX_SUFFIX.length());
            FileType ft = FileType.byName(synonyms(base.trim().toUpperCase(Locale.ROOT)));
            if (ft != null) return importanceWeighted(a, fileType(a, ft, true, stackedExperts));
        }
        String l = synonyms(trimmed.toUpperCase(Locale.ROOT));
        String head = l.split("[\\s(]")[0];
        if (l.startsWith(UNIFORM_PREFIX.toUpperCase(Locale.ROOT))) {
            TensorChoice c;
            try {
                c = TensorChoice.parse(label.trim().substring(UNIFORM_PREFIX.length()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unsupported weight format '" + label + "': " + e.getMessage(), e);
            }
            return perTensor(a, t -> c);
        }
        if (l.contains("T-MAC")) {
            if (l.contains("TERNARY") || l.contains("LUT KERNEL")) return uniform(a, "int2gC", "int2gC", "int2gC");
            if (l.contains("INT2")) return uniform(a, "int2g128", "int2g128", "int2g128");
            if (l.contains("INT4")) return uniform(a, "int4g128", "int4g128", "int4g128");
        }
        if (l.startsWith("W2")) return uniform(a, "int2g128", "int2g128", "int2g128");
        if (l.startsWith("8DA4W")) {
            // ExecuTorch XNNPACK: the group size is stated ("g32", "g128", "g256"; 128 when not); embedding 4-bit g32 per
            // the Llama 3 8B README recipe unless the label says 8-bit (the Llama 3.2 SpinQuant / QAT+LoRA exports:
            // embedding 8-bit per channel, output layer 8da8w per channel)
            Matcher gm = GROUP.matcher(l);
            String g = "int4g" + (gm.find() ? gm.group(1) : "128");
            String emb = l.contains("EMBEDDING 8-BIT") ? "int8gC" : "int4g32";
            String out = l.contains("8DA8W") ? "int8gC" : g;
            return uniform(a, g, emb, out);
        }
        // Qualcomm AI Hub "wNaM" / "wN" and ExecuTorch's QNN "MaNw" (16a4w): N-bit per-channel weights, the rest of the
        // model (embedding, LM head) 8-bit
        Matcher hub = HUB.matcher(l);
        if (hub.matches()) {
            String bits = hub.group(1) != null ? hub.group(1) : hub.group(2);
            return uniform(a, "int" + bits + "gC", "int8gC", "int8gC");
        }
        // CoreML-LLM's quantized Gemma bundles (john-rocky/CoreML-LLM docs/PLE_INT4_PROBE.md, "prod (W4A16 + INT8 PLE)"):
        // a 4-bit palettized decoder (W4A16, LUT per channel group: costed as int4g32's 4.5 bits), the tied LM head in a
        // 4-bit chunk, the per-layer input table int8 per row with an fp16 scale
        if (l.contains("COREML") && l.matches(".*\\bQUANTIZED\\b.*")) return uniform(a, "int4g32", "int8gC", "int4g32");
        // AWQ and GPTQ checkpoints (AutoAWQ, TensorRT-LLM, vLLM, MLC q4f16_awq): 4-bit unless the label says 8 or 3
        // ("GPTQ-Int8", Qwen's uploads), group 128, fp16 scale and zero
        if (l.matches(".*\\b(AWQ|GPTQ)\\b.*")) {
            Matcher b = STATED_BITS.matcher(l);
            String f = "int" + (b.find() ? (b.group(1) != null ? b.group(1) : b.group(2)) : "4") + "g128a";
            return uniform(a, f, f, f);
        }
        // MLC q4f16_ft (FasterTransformer's CUTLASS kernels): linear layers 4-bit with one fp16 scale per output channel;
        // the embedding and the final projection fall back to group quantization, 4-bit group 32 (mlc-llm
        // python/mlc_llm/quantization/ft_quantization.py, fallback_group_quantize)
        if (l.matches(".*\\bQ4F16_FT\\b.*")) return uniform(a, "int4gC", "int4g32", "int4g32");
        if (l.equals("INT4") || l.startsWith("INT4 (")) return uniform(a, "int4g32", "int4g32", "int4g32"); // MLC q4f16_1: 4-bit, group 32, fp16 scale
        // MLC q4f16_0 / q4f16_1 / q4f16_2: 4-bit, group 32, one fp16 scale (they differ only in weight layout: q4f16_0 is
        // the transposed one, per the MLC maintainers in mlc-ai/mlc-llm#3379)
        if (l.matches(".*\\bQ4F16_[012]\\b.*")) return uniform(a, "int4g32", "int4g32", "int4g32");
        // MLC q4f32_1: 4-bit, group 32, one fp32 scale = 20 bytes per 32 weights, the bytes of int4g32a (fp16 scale + zero)
        if (l.matches(".*\\bQ4F32_[01]\\b.*")) return uniform(a, "int4g32a", "int4g32a", "int4g32a");
        // MLC q3f16_0 / q3f16_1: 3-bit, group 40, one fp16 scale (ten 3-bit values per 32-bit word)
        if (l.matches(".*\\bQ3F16_[01]\\b.*")) return uniform(a, "int3g40", "int3g40", "int3g40");
        // generic precision words: 4-bit at group 32 with an fp16 scale (MLX's default 4-bit, group 64 with scale and bias,
        // has the same 4.5 bits per weight); 8-bit per channel (ONNX Runtime, OpenVINO, TensorRT weight-only int8)
        boolean perChannel = l.matches(".*PER[- ]CHANNEL.*");
        if (l.matches("(INT4|4-?BIT|Q4|W4)(\\s.*|\\(.*)?")) {
            String f = perChannel ? "int4gC" : "int4g32";
            return uniform(a, f, f, f);
        }
        if (l.matches("(INT8|8-?BIT|Q8|W8)(\\s.*|\\(.*)?")) return uniform(a, "int8gC", "int8gC", "int8gC");
        if (l.matches("(INT3|3-?BIT)(\\s.*|\\(.*)?")) return uniform(a, "int3g32", "int3g32", "int3g32");
        // 5- and 6-bit words (MLX's 5bit/6bit: group 64 with an fp16 scale and bias = the bytes of group 32 with a scale)
        Matcher mid = FIVE_SIX_BIT.matcher(l);
        if (mid.matches()) {
            String f = "int" + (mid.group(1) != null ? mid.group(1) : mid.group(2)) + "g32";
            return uniform(a, f, f, f);
        }
        Matcher q8 = Q8_TABLES.matcher(l);
        if (q8.find()) {
            FileType base = FileType.byName(switch (q8.group(1)) {
                case "2" -> "Q2_K";
                case "4" -> "Q4_K_M";
                case "5" -> "Q5_K_M";
                default -> "Q6_K";
            });
            Map<String, TensorChoice> m = new LinkedHashMap<>(fileType(a, base, base.needsImportanceMatrix(), stackedExperts));
            for (TensorSpec t : a.linearTensors()) {
                if (t.role() == TensorRole.EMBEDDING || t.role() == TensorRole.LM_HEAD) {
                    m.put(t.name(), TensorChoice.of(WeightFormat.of(NamedFormat.Q8_0.storedFor(t.cols()))));
                }
            }
            return m;
        }
        FileType ft = FileType.byName(head);
        if (ft == null) {
            Matcher m = LLAMA_TYPE.matcher(l);
            if (m.find()) ft = FileType.byName(m.group(1));
        }
        if (ft != null) return fileType(a, ft, ft.needsImportanceMatrix(), stackedExperts);
        try {
            TensorChoice c = TensorChoice.parse(label.trim());
            return perTensor(a, t -> c);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unsupported weight format '" + label + "'");
        }
    }

    /** A file type quantized with an importance matrix: {@code Q4_K_M+imatrix}. */
    public static final String IMATRIX_SUFFIX = "+IMATRIX";

    /**
     * {@code choices} (a file type's, by the rules with an importance matrix) as llama-quantize rounds them with one: every
     * tensor that the matrix has an entry for and whose stored format has a weighted quantizer becomes {@code +imatrix}.
     * llama-imatrix records the inputs of matrix multiplications, so an untied token embedding (a row lookup) has no
     * entry and keeps its plain rounding; a tied one is the LM head's matrix and has one.
     */
    static Map<String, TensorChoice> importanceWeighted(ModelArchitecture a, Map<String, TensorChoice> choices) {
        Map<String, TensorChoice> out = new java.util.LinkedHashMap<>();
        for (TensorSpec t : a.linearTensors()) {
            TensorChoice c = choices.get(t.name());
            boolean entry = t.role() != TensorRole.EMBEDDING || a.tiedEmbeddings();
            // a file type's choices are dense and full rank: only the format decides
            out.put(t.name(), entry && TensorChoice.importanceWeightable(c.format()) ? new TensorChoice(c.format(), c.sparsity(), c.rankRatio(), false, true) : c);
        }
        return out;
    }

    /**
     * Other spellings of the same stored formats, rewritten to the names {@link #resolve} knows: float words (FP16,
     * float16, half, FP32, bfloat16); MLC's unquantized q0f16/q0f32; llama.cpp's removed Arm repack types
     * Q4_0_4_4/Q4_0_4_8/Q4_0_8_8 and IQ4_NL_4_4 (the same blocks as Q4_0 and IQ4_NL, interleaved at load); "Q6" for Q6_K,
     * llama.cpp's only 6-bit type; MLX's word around a precision ("MLX 4bit"); gpt-oss's "MXFP4" (or "MXFP4 MoE") for llama.cpp's
     * MXFP4_MOE file type; Unsloth's dynamic "_XL" mixes (UD-Q4_K_XL),
     * modelled as llama.cpp's "_M" mix of the same K-quant, Q2_K for Q2_K_XL (llama.cpp's Q2_K is its middle 2-bit mix;
     * Unsloth raises more tensors, so the file is a few percent larger than this predicts), and "UD-" before any llama.cpp
     * type; IPEX-LLM's sym_int4 / asym_int4 / sym_int5 /
     * asym_int5 / sym_int8, which are ggml's Q4_0 / Q4_1 / Q5_0 / Q5_1 / Q8_0.
     */
    static String synonyms(String upper) {
        String l = upper.replaceAll("^UD-", "");
        l = l.replaceAll("^(FP16|FLOAT16|HALF|Q0F16)(?![0-9A-Z])", "F16").replaceAll("^(FP32|FLOAT32|Q0F32)(?![0-9A-Z])", "F32")
                .replaceAll("^BFLOAT16(?![0-9A-Z])", "BF16");
        l = l.replaceAll("(?<![A-Z0-9_])Q4_0_[48]_[48](?![A-Z0-9_])", "Q4_0").replaceAll("(?<![A-Z0-9_])IQ4_NL_[48]_[48](?![A-Z0-9_])", "IQ4_NL");
        // "Q6": llama.cpp has one 6-bit type (a "Q5" or "Q3" could be several, and stays refused)
        l = l.replaceAll("^Q6(?![0-9A-Z_])", "Q6_K");
        // MLX's own word around its precision ("MLX 4bit", "4bit-mlx"): the precision is the format
        l = l.replaceAll("^MLX[ _-]+", "").replaceAll("[ _-]+MLX$", "");
        // IPEX-LLM's low-bit names are ggml's block formats
        l = l.replaceAll("^SYM_INT4(?![0-9A-Z])", "Q4_0").replaceAll("^ASYM_INT4(?![0-9A-Z])", "Q4_1")
                .replaceAll("^SYM_INT5(?![0-9A-Z])", "Q5_0").replaceAll("^ASYM_INT5(?![0-9A-Z])", "Q5_1")
                .replaceAll("^SYM_INT8(?![0-9A-Z])", "Q8_0");
        // gpt-oss's "MXFP4" GGUFs are llama.cpp's MXFP4_MOE file type ("MXFP4 MoE" in llama-bench's model column)
        l = l.replaceAll("^MXFP4(?:[ _-]MOE)?(?![0-9A-Z_])", "MXFP4_MOE");
        l = l.replaceAll("(?<![A-Z0-9_])Q2_K_XL(?![A-Z0-9_])", "Q2_K").replaceAll("(?<![A-Z0-9_])(Q[3-5]_K)_XL(?![A-Z0-9_])", "$1_M").replaceAll("(?<![A-Z0-9_])Q6_K_XL(?![A-Z0-9_])", "Q6_K")
                .replaceAll("(?<![A-Z0-9_])Q8_K_XL(?![A-Z0-9_])", "Q8_0");
        return l;
    }

    /**
     * The per-tensor formats {@code llama-quantize} writes for file type {@code type}: llama.cpp's type rules, then
     * its shape fallback.
     *
     * @param importanceMatrix whether the quantization had an importance matrix (it changes IQ3_XXS, IQ4_NL, IQ4_XS,
     *                         Q4_0 and Q5_0 files)
     * @throws IllegalArgumentException when a type the file stores has no format in this build
     */
    public static Map<String, TensorChoice> fileType(ModelArchitecture a, FileType type, boolean importanceMatrix) {
        return fileType(a, type, importanceMatrix, null);
    }

    /**
     * As {@link #fileType(ModelArchitecture, FileType, boolean)}; {@code experts}: the FFN tensors stack a mixture of
     * experts' experts (null: a dense model), as {@link #resolve(ModelArchitecture, String, ExpertLayout)}.
     */
    public static Map<String, TensorChoice> fileType(ModelArchitecture a, FileType type, boolean importanceMatrix, ExpertLayout experts) {
        Rules r = Rules.of(a, type, importanceMatrix, experts);
        return perTensor(a, t -> TensorChoice.of(WeightFormat.of(format(type, r.typeOf(t)).storedFor(r.rowLength(t)))));
    }

    private static NamedFormat format(FileType type, String label) {
        NamedFormat f = NamedFormat.byLabel(label);
        if (f == null) throw new IllegalArgumentException("llama.cpp file type " + type + " stores " + label + ", which has no format in this build");
        return f;
    }

    /**
     * llama_tensor_get_type_impl for one architecture, file type and importance matrix: the type before the fallback.
     *
     * @param attnVIndex per layer, llama.cpp's attn_v counter (i_attention_wv) at that layer's attn_v-like tensor: its
     *                   index among the layers that have one (attn_v, or a linear-attention block's attn_qkv)
     * @param attnVCount layers with an attn_v-like tensor (n_attention_wv)
     * @param gqa        llama.cpp's n_gqa(): block 0's query heads over its K/V heads
     */
    private record Rules(ModelArchitecture a, FileType ft, boolean imatrix, ExpertLayout stackedExperts, int[] attnVIndex, int attnVCount, int gqa) {
        static Rules of(ModelArchitecture a, FileType ft, boolean imatrix, ExpertLayout stackedExperts) {
            int[] index = new int[a.layers()];
            boolean[] has = new boolean[a.layers()];
            for (TensorSpec t : a.linearTensors()) if (t.layer() >= 0 && category(a, t) == TensorRole.V) has[t.layer()] = true;
            int count = 0;
            for (int l = 0; l < index.length; l++) if (has[l]) index[l] = count++;
            // LFM2's GGUF stores head_count_kv per block, 0 on its convolution blocks, and n_gqa() reads block 0's
            boolean convFirst = a.linearTensors().stream().anyMatch(t -> t.layer() == 0 && t.name().contains(".shortconv."));
            return new Rules(a, ft, imatrix, stackedExperts, index, count, convFirst ? 0 : a.heads() / a.kvHeads());
        }

        /**
         * llama.cpp's category of a tensor (tensor_get_category, by name): its role, but V for any attn_v-like tensor (a
         * linear-attention block's attn_qkv; Phi-3's q and k, parts of attn_qkv), Q for the attention output gate (part of
         * attn_q), and null ("other": the file type's default) for a hybrid block's own projections.
         */
        static TensorRole category(ModelArchitecture a, TensorSpec t) {
            String n = t.name();
            // multi-head latent attention: llama.cpp's categories match "attn_q.weight", "attn_kv_b.weight" (attn_v-like)
            // and "attn_output.weight"; q_a, q_b, kv_a_mqa, k_b and v_b fall to "other"
            if (LatentAttention.isLatentProjection(t)) return null;
            if (n.endsWith(".attn_q.weight") && t.role() == TensorRole.O) return TensorRole.Q;
            if (n.endsWith(".attn_kv_b.weight")) return TensorRole.V;
            if (n.endsWith(".attn_qkv.weight")) return TensorRole.V;
            if (n.endsWith(".attn_q_gate.weight")) return TensorRole.Q;
            if (n.contains(".shortconv.") || n.endsWith(".attn_gate.weight") || n.contains(".ssm_")) return null;
            if (a.family() == ArchitectureFamily.PHI3 && (t.role() == TensorRole.Q || t.role() == TensorRole.K)) return TensorRole.V;
            return t.role();
        }

        /** llama.cpp's n_expert: the routed experts, 1 (every expert rule off) for a dense model. */
        private int experts() { return stackedExperts == null ? 1 : stackedExperts.experts(); }

        /** True for a block FFN tensor that stacks experts (not a leading dense block's). */
        private boolean expertTensor(TensorSpec t) {
            return stackedExperts != null && t.layer() >= 0 && stackedExperts.expertLayer(t.layer())
                    && (t.role() == TensorRole.GATE || t.role() == TensorRole.UP || t.role() == TensorRole.DOWN);
        }

        /** The row length llama.cpp checks a type's blocks against (ggml's ne[0]): one expert's width for a stacked ffn_down. */
        int rowLength(TensorSpec t) {
            return expertTensor(t) && t.role() == TensorRole.DOWN ? stackedExperts.expertIntermediateSize() : t.cols();
        }

        /** llama.cpp's LLM_TYPE_70B: 80 layers of Llama with grouped-query attention, or of Qwen2. */
        private boolean is70B() {
            return a.layers() == 80 && (a.family() == ArchitectureFamily.LLAMA && a.heads() != a.kvHeads() || a.family() == ArchitectureFamily.QWEN2);
        }

        /** The first and last eighth of the layers and every third layer between. */
        private static boolean useMoreBits(int layer, int layers) {
            return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
        }

        private boolean lowIq() { // the 1- and 2-bit i-quant files, which share one branch of the rules
            return switch (ft) {
                case IQ2_XXS, IQ2_XS, IQ1_S, IQ2_S, IQ2_M, IQ1_M -> true;
                default -> false;
            };
        }

        String typeOf(TensorSpec t) {
            String def = ft.defaultType();
            if (ft.isFloat()) return def; // not a quantized type: llama.cpp keeps it as it is for every tensor
            if (keptUnquantized(t)) return "F16";
            // per layer, tensors come in layer order, so llama.cpp's attn_v and ffn_down counters equal the layer
            int layer = t.layer(), n = a.layers();
            // llama.cpp's token-table category holds the per-layer input table too: with tied embeddings both take the
            // output's type
            boolean table = t.role() == TensorRole.EMBEDDING || LayerGeometry.isLookupTable(t);
            boolean head = t.role() == TensorRole.LM_HEAD || (table && a.tiedEmbeddings());
            if (head) {
                if (t.cols() % format(ft, def).blockWeights() != 0) return "Q8_0";
                if (ft == FileType.IQ2_XXS || ft == FileType.IQ2_XS || ft == FileType.IQ3_XXS || ft == FileType.IQ1_S
                        || ft == FileType.IQ2_S || ft == FileType.IQ2_M || ft == FileType.IQ1_M) return "Q5_K";
                return def.equals("Q8_0") ? def : "Q6_K";
            }
            if (table) {
                return switch (ft) {
                    case IQ2_XXS, IQ2_XS, IQ1_S, IQ1_M -> "Q2_K";
                    case IQ2_S, IQ2_M, IQ3_XXS -> "IQ3_S";
                    case TQ1_0, TQ2_0 -> "Q4_K";
                    default -> def;
                };
            }
            TensorRole role = category(a, t);
            if (ft == FileType.MXFP4_MOE) {
                // the expert tensors (3-D in a GGUF) only; a shared expert is held with the routed ones here and goes with them
                boolean expert = expertTensor(t);
                // llama.cpp goes by the tensor being 3-D, which latent attention's per-head k_b and v_b are too
                expert |= t.name().endsWith(".attn_k_b.weight") || t.name().endsWith(".attn_v_b.weight");
                return expert ? "MXFP4" : def;
            }
            if (role == null) return def; // a hybrid block's projections: no rule of their own
            if (lowIq()) {
                boolean s = ft == FileType.IQ2_S || ft == FileType.IQ2_M;
                return switch (role) {
                    case V -> gqa() >= 4 || experts() >= 4 ? "Q4_K" : s ? "IQ3_S" : "Q2_K";
                    case K -> experts() == 8 ? "Q4_K" : def;
                    case DOWN -> layer < n / 8 ? (s ? "IQ3_S" : "Q2_K") : def;
                    case O -> experts() == 8 ? "Q5_K" : ft == FileType.IQ1_S || ft == FileType.IQ1_M ? "IQ2_XXS" : s ? "IQ3_S" : def;
                    default -> def;
                };
            }
            return switch (role) {
                case V -> attnV(def, attnVIndex[layer], attnVCount);
                case K -> experts() == 8 ? "Q8_0" : ft == FileType.IQ3_XS ? "IQ3_XXS" : ft == FileType.IQ3_XXS ? "IQ2_S" : def;
                case Q -> ft == FileType.IQ3_XS ? "IQ3_XXS" : ft == FileType.IQ3_XXS ? "IQ2_S" : def;
                case DOWN -> ffnDown(def, layer, n);
                case O -> attnOutput(def);
                case GATE, UP -> ft == FileType.IQ3_XS && layer >= n / 8 && layer < 7 * n / 8 ? "IQ3_XXS" : def;
                default -> def;
            };
        }

        private String attnV(String def, int layer, int n) {
            String v = def;
            int gqa = gqa();
            switch (ft) {
                case Q2_K -> v = gqa >= 4 ? "Q4_K" : "Q3_K";
                case Q2_K_S -> v = gqa >= 4 ? "Q4_K" : def;
                case IQ3_XXS -> v = gqa >= 4 ? "Q4_K" : !imatrix ? "IQ3_S" : "IQ3_XXS";
                case IQ3_XS, IQ3_S -> v = gqa >= 4 ? "Q4_K" : def;
                case IQ3_M -> v = "Q4_K";
                case Q3_K_M -> v = layer < 2 ? "Q5_K" : "Q4_K";
                case Q3_K_L -> v = "Q5_K";
                case IQ4_NL, IQ4_XS -> v = gqa >= 4 ? "Q5_K" : def;
                case Q4_K_M, Q5_K_M -> v = useMoreBits(layer, n) ? "Q6_K" : def;
                case Q4_K_S -> v = layer < 4 ? "Q5_K" : def;
                default -> { }
            }
            // a 70B model's attn_v is 8x smaller than attn_q: more bits cost little
            if (is70B() && (v.equals("Q3_K") || v.equals("Q4_K"))) v = "Q5_K";
            if (experts() == 8) v = "Q8_0";
            return v;
        }

        private String ffnDown(String def, int layer, int n) {
            return switch (ft) {
                case Q2_K -> "Q3_K";
                case Q2_K_S -> layer < n / 8 ? "Q4_K" : def;
                case IQ3_XXS -> imatrix ? def : layer < n / 8 ? "Q4_K" : "Q3_K";
                case Q3_K_M -> layer < n / 16 ? "Q5_K" : "Q4_K";
                case IQ3_M -> layer < n / 8 || (experts() == 8 && useMoreBits(layer, n)) ? "Q4_K" : def;
                case Q3_K_L -> "Q5_K";
                case Q4_K_M, Q5_K_M -> useMoreBits(layer, n) ? "Q6_K" : def;
                case IQ4_NL, IQ4_XS -> layer < n / 8 && !imatrix ? "Q5_K" : def;
                case Q4_K_S -> layer < n / 8 ? "Q5_K" : def;
                case Q4_0 -> imatrix && layer < n / 8 ? "Q4_1" : def;
                case Q5_0 -> imatrix && layer < n / 8 ? "Q5_1" : def;
                default -> def;
            };
        }

        private String attnOutput(String def) {
            if (experts() == 8) {
                return switch (ft) {
                    case Q2_K, IQ3_XS, IQ3_XXS, Q3_K_S, Q3_K_M, IQ4_NL, Q4_K_S, Q4_K_M, IQ3_S, IQ3_M, IQ4_XS -> "Q5_K";
                    default -> def;
                };
            }
            return switch (ft) {
                case Q2_K -> "Q3_K";
                case IQ3_XXS -> "IQ3_S";
                case Q3_K_M, IQ3_M -> "Q4_K";
                case Q3_K_L -> "Q5_K";
                default -> def;
            };
        }
    }

    /**
     * A hybrid block's convolution kernel (LFM2's shortconv.conv, the gated delta net's ssm_conv1d): small and depthwise,
     * written in F32 by llama.cpp's converter and never quantized by llama-quantize; other engines keep it in float too.
     */
    public static boolean convolutionKernel(TensorSpec t) {
        return t.name().endsWith(".shortconv.conv.weight") || t.name().endsWith(".ssm_conv1d.weight");
    }

    /**
     * Tensors llama-quantize leaves in the converted file's type (F16 here): Gemma 3n's AltUp and LAuReL matrices and the
     * per-layer input projection ("very small" / "not too big", llama-quant.cpp).
     */
    private static boolean keptUnquantized(TensorSpec t) {
        String n = t.name();
        return n.contains("altup") || n.contains("laurel") || n.startsWith("per_layer_model_proj");
    }

    /** One choice per tensor; a convolution kernel is F32 whatever the format ({@link #convolutionKernel}). */
    private static Map<String, TensorChoice> perTensor(ModelArchitecture a, java.util.function.Function<TensorSpec, TensorChoice> f) {
        Map<String, TensorChoice> m = new LinkedHashMap<>();
        for (TensorSpec t : a.linearTensors()) m.put(t.name(), convolutionKernel(t) ? TensorChoice.of(WeightFormat.F32) : f.apply(t));
        return m;
    }

    /** One format for the blocks, one for the token tables (the embedding and a per-layer input table), one for the LM head. */
    private static Map<String, TensorChoice> uniform(ModelArchitecture a, String linear, String embedding, String head) {
        return perTensor(a, t -> TensorChoice.of(WeightFormat.parse(LayerGeometry.isLookupTable(t) ? embedding : switch (t.role()) {
            case EMBEDDING -> a.tiedEmbeddings() ? head : embedding;
            case LM_HEAD -> head;
            default -> linear;
        })));
    }
}
