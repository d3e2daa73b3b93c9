package org.edgefront.space.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.LogitSoftcaps;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.RopeScaling;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.SlidingWindow;
import org.edgefront.space.model.TensorSpec;

/**
 * Reader for Hugging Face model directories: {@code config.json} plus {@code model.safetensors}, or
 * shards listed in {@code model.safetensors.index.json} ({@code weight_map}). F32, F16 and BF16
 * weights decode to float on read; each tensor is read by byte range when asked for, never the whole
 * model at once.
 *
 * <p>Architectures: {@code LlamaForCausalLM} and {@code MistralForCausalLM} map to
 * {@link ArchitectureFamily#LLAMA}; {@code Qwen2ForCausalLM} to {@link ArchitectureFamily#QWEN2}, whose
 * q/k/v biases are readable as {@code blk.N.attn_q.bias}, {@code blk.N.attn_k.bias},
 * {@code blk.N.attn_v.bias} ({@link ModelArchitecture#attentionBiasName}, listed in
 * {@link ModelWeights#tensorNames()}); {@code Qwen3ForCausalLM} to {@link ArchitectureFamily#QWEN3}, whose per-head
 * {@code self_attn.q_norm.weight} / {@code self_attn.k_norm.weight} are readable as {@code blk.N.attn_q_norm.weight} /
 * {@code blk.N.attn_k_norm.weight} ({@link ModelArchitecture#qkNormName}); {@code Phi3ForCausalLM} to {@link ArchitectureFamily#PHI3}, whose stacked
 * {@code self_attn.qkv_proj.weight} (q | k | v) and {@code mlp.gate_up_proj.weight} (gate | up) are read as the separate
 * canonical q, k, v, gate and up tensors (each a byte range of the stack), with RoPE on the first
 * {@code int(head_dim x partial_rotary_factor)} dimensions of each head ({@link Phi3Config#rotaryDims}, Phi-4-mini);
 * {@code PhiForCausalLM} (Phi-2) to
 * {@link ArchitectureFamily#PHI2}, see below. A {@code head_dim} other than hidden_size / heads (Qwen3-0.6B: 1024 wide,
 * 16 heads of 128) sizes q_proj's rows and o_proj's columns as heads x head_dim. Anything else, and {@code attention_bias}
 * on a Qwen3 or a {@code head_dim} on Phi-2, is rejected, since the forward pass would silently compute something else. RoPE settings come from {@code rope_parameters}
 * (transformers 5, with {@code rope_theta} inside) or {@code rope_scaling} (transformers 4): the rules default,
 * linear, llama3, yarn and, for Phi-3, longrope (alias su) become the architecture's {@link RopeScaling}; any other rule or
 * unknown key is refused.
 *
 * <p><b>RoPE row order.</b> Hugging Face Llama-family checkpoints store the rows of q_proj and k_proj
 * permuted for the rotate-half RoPE layout; EdgeFront's forward pass (like llama2.c) rotates
 * interleaved pairs. The rows of q and k (and of their biases, and the values of Qwen3's q/k norms, which
 * scale each head's values element by element) are therefore put back in interleaved order on read (under partial
 * rotary, only each head's rotated rows); see {@link RopeLayout}. {@link HuggingFaceWriter}
 * applies the forward permutation, so write-then-read round-trips.
 *
 * <p>Canonical names: {@code model.embed_tokens.weight} is {@code token_embd.weight};
 * {@code model.layers.N.self_attn.{q,k,v,o}_proj.weight} are {@code blk.N.attn_{q,k,v,output}.weight};
 * {@code model.layers.N.mlp.{gate,up,down}_proj.weight} are {@code blk.N.ffn_{gate,up,down}.weight};
 * {@code input_layernorm} / {@code post_attention_layernorm} are {@code attn_norm} / {@code ffn_norm};
 * {@code model.norm.weight} is {@code output_norm.weight}; {@code lm_head.weight} is {@code output.weight}.
 *
 * <p><b>Phi-2</b> ({@code model_type "phi"}): {@code self_attn.{q,k,v}_proj} and {@code self_attn.dense} (weights and
 * biases) are {@code blk.N.attn_{q,k,v,output}.weight/.bias}; {@code mlp.fc1} / {@code mlp.fc2} are
 * {@code blk.N.ffn_up} / {@code blk.N.ffn_down} (weight and bias); the single {@code input_layernorm} (weight and
 * bias) is {@code blk.N.attn_norm.weight/.bias}; {@code model.final_layernorm} is {@code output_norm.weight/.bias};
 * {@code lm_head.weight/.bias} are {@code output.weight/.bias}. q and k rows stay in Hugging Face's rotate-half
 * order (the Phi pass rotates that layout itself). The epsilon is {@code layer_norm_eps}. Only Phi-2's
 * {@code partial_rotary_factor} 0.4 ({@link ArchitectureFamily#defaultPartialRotaryFactor()}) is accepted, the value
 * the Phi pass is tested with, with
 * {@code hidden_act} {@code gelu_new} (or {@code gelu_pytorch_tanh}), no {@code qk_layernorm} and an untied head.
 *
 * <p>Stateless; the returned weights own the open shards and must be closed by the caller.
 */
public final class HuggingFaceModel {
    /** Config file name. */
    public static final String CONFIG = "config.json";
    /** Single-file weights. */
    public static final String SINGLE = "model.safetensors";
    /** Index of sharded weights. */
    public static final String INDEX = "model.safetensors.index.json";
    /** Key in config.json that EdgeFront's generator writes to label generated weights. */
    public static final String SYNTHETIC_KEY = "edgefront_synthetic";
    /** Key in config.json with the display name EdgeFront's generator gave the model. */
    public static final String NAME_KEY = "edgefront_name";

    private static final long MAX_JSON_BYTES = 100L << 20;

    private HuggingFaceModel() { }

    /** Opens a model directory with a default Hadoop configuration. */
    public static ModelWeights open(String dirUri) throws IOException {
        return open(dirUri, new Configuration());
    }

    /**
     * Opens a model directory.
     *
     * @throws InvalidInputException naming the file and key at fault (config field, missing tensor,
     *                               wrong shape, unsupported architecture, no weights)
     */
    public static ModelWeights open(String dirUri, Configuration conf) throws IOException {
        String configFile = HadoopFiles.child(dirUri, CONFIG);
        JsonNode config = readJson(configFile, conf);
        Parsed p = parseConfig(configFile, config, lastSegment(dirUri));

        List<SafetensorsFile> files = new ArrayList<>();
        try {
            Map<String, Integer> shardOf = new LinkedHashMap<>();
            String indexFile = HadoopFiles.child(dirUri, INDEX);
            String singleFile = HadoopFiles.child(dirUri, SINGLE);
            String keyFile;
            if (HadoopFiles.statusOrNull(indexFile, conf) != null) {
                keyFile = indexFile;
                JsonNode index = readJson(indexFile, conf);
                JsonNode map = index.get("weight_map");
                if (map == null || !map.isObject()) throw new InvalidInputException(indexFile, "weight_map", "missing or not an object");
                Map<String, Integer> fileIndex = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    JsonNode v = e.getValue();
                    if (!v.isTextual()) throw new InvalidInputException(indexFile, "weight_map." + e.getKey(), "shard file name is not a string");
                    String shard = v.asText();
                    if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..") || shard.equals(".")) {
                        throw new InvalidInputException(indexFile, "weight_map." + e.getKey(), "shard '" + shard + "' is not a file name in the model directory");
                    }
                    Integer idx = fileIndex.get(shard);
                    if (idx == null) {
                        idx = files.size();
                        String shardUri = HadoopFiles.child(dirUri, shard);
                        if (HadoopFiles.statusOrNull(shardUri, conf) == null) {
                            throw new InvalidInputException(indexFile, "weight_map." + e.getKey(), "shard file " + shard + " does not exist");
                        }
                        files.add(SafetensorsFile.open(shardUri, conf));
                        fileIndex.put(shard, idx);
                    }
                    shardOf.put(e.getKey(), idx);
                }
            } else if (HadoopFiles.statusOrNull(singleFile, conf) != null) {
                keyFile = singleFile;
                files.add(SafetensorsFile.open(singleFile, conf));
                for (String name : files.get(0).tensors().keySet()) shardOf.put(name, 0);
            } else {
                String hint = HadoopFiles.statusOrNull(HadoopFiles.child(dirUri, "pytorch_model.bin"), conf) != null
                        ? " (PyTorch .bin weights are not supported; convert them to safetensors)" : "";
                throw new InvalidInputException(dirUri, SINGLE, "no weights: neither " + SINGLE + " nor " + INDEX + " exists" + hint);
            }

            boolean tied = p.tied != null ? p.tied : !shardOf.containsKey("lm_head.weight");
            ModelArchitecture arch = ModelArchitecture.of(p.name, p.family, p.dim, p.hidden, p.layers, p.heads, p.kvHeads,
                    p.headDim, p.vocab, p.maxSeq, tied, p.eps, p.theta, p.synthetic).withRotaryDims(p.rotaryDims).withRopeScaling(p.rope)
                    .withSlidingWindow(p.window).withAttentionScale(p.attentionScale).withSoftcaps(p.softcaps);
            Map<String, StoredWeights.Location> locs = new LinkedHashMap<>();
            Locator loc = new Locator(files, shardOf, keyFile, locs);
            for (HfTensor t : tensorMap(arch)) loc.add(t);
            List<RangeReader> readers = new ArrayList<>();
            for (SafetensorsFile sf : files) readers.add(sf.reader());
            return new StoredWeights(arch, dirUri, readers, locs);
        } catch (IOException | RuntimeException e) {
            for (SafetensorsFile sf : files) {
                try {
                    sf.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * One tensor's Hugging Face name, canonical name and shape.
     *
     * @param hfName    name in the safetensors files
     * @param canonical name in {@link ModelWeights}
     * @param rows      rows (or length of a vector)
     * @param cols      columns, or -1 for a vector
     * @param ropeHeads heads whose rows are stored in rotate-half order (q and k), else 0
     * @param addend    what the canonical values add to the stored ones (Gemma 3's norms: 1,
     *                  {@link ArchitectureFamily#hfNormOffset()}); 0 for most tensors
     * @param stack     the stack whose rows hold this tensor when {@code hfName} names a stacked tensor (Phi-3's
     *                  {@code qkv_proj}, {@code gate_up_proj}; its parts follow each other in the map), else null
     */
    record HfTensor(String hfName, String canonical, int rows, int cols, int ropeHeads, float addend, ModelArchitecture.StackedTensor stack) {
        HfTensor(String hfName, String canonical, int rows, int cols, int ropeHeads, float addend) {
            this(hfName, canonical, rows, cols, ropeHeads, addend, null);
        }

        HfTensor(String hfName, String canonical, int rows, int cols, int ropeHeads) {
            this(hfName, canonical, rows, cols, ropeHeads, 0f, null);
        }

        /** Shape of the stored tensor as safetensors writes it (a stack's whole shape for a part of one). */
        List<Long> shape() {
            if (stack != null) return List.of((long) stack.rows(), (long) cols);
            return cols < 0 ? List.of((long) rows) : List.of((long) rows, (long) cols);
        }

        /** The stored tensor's row where this tensor begins (0 unless it is a part of a stack). */
        int rowOffset() { return stack == null ? 0 : stack.rowOffset(canonical); }
    }

    /** Every tensor a Hugging Face directory of this architecture holds, in file order. */
    static List<HfTensor> tensorMap(ModelArchitecture arch) {
        List<HfTensor> out = new ArrayList<>();
        int dim = arch.dim();
        int q = arch.qDim();
        int kv = arch.kvDim();
        int hidden = arch.hiddenDim();
        if (arch.family() == ArchitectureFamily.PHI2) return phiTensorMap(arch);
        if (arch.family().gemma()) return gemma3TensorMap(arch);
        if (arch.family() == ArchitectureFamily.PHI3) return phi3TensorMap(arch);
        out.add(new HfTensor("model.embed_tokens.weight", TensorSpec.canonicalName(TensorRole.EMBEDDING, -1), arch.vocabSize(), dim, 0));
        for (int l = 0; l < arch.layers(); l++) {
            String pre = "model.layers." + l + ".";
            out.add(new HfTensor(pre + "input_layernorm.weight", ModelArchitecture.attentionNormName(l), dim, -1, 0));
            out.add(new HfTensor(pre + "self_attn.q_proj.weight", TensorSpec.canonicalName(TensorRole.Q, l), q, dim, arch.heads()));
            out.add(new HfTensor(pre + "self_attn.k_proj.weight", TensorSpec.canonicalName(TensorRole.K, l), kv, dim, arch.kvHeads()));
            out.add(new HfTensor(pre + "self_attn.v_proj.weight", TensorSpec.canonicalName(TensorRole.V, l), kv, dim, 0));
            out.add(new HfTensor(pre + "self_attn.o_proj.weight", TensorSpec.canonicalName(TensorRole.O, l), dim, q, 0));
            if (arch.qkNorm()) {
                // one weight per head position shared by all heads: permuted like a single head's rows
                out.add(new HfTensor(pre + "self_attn.q_norm.weight", ModelArchitecture.qkNormName(TensorRole.Q, l), arch.headDim(), -1, 1));
                out.add(new HfTensor(pre + "self_attn.k_norm.weight", ModelArchitecture.qkNormName(TensorRole.K, l), arch.headDim(), -1, 1));
            }
            if (arch.attentionBiases()) {
                out.add(new HfTensor(pre + "self_attn.q_proj.bias", ModelArchitecture.attentionBiasName(TensorRole.Q, l), q, -1, arch.heads()));
                out.add(new HfTensor(pre + "self_attn.k_proj.bias", ModelArchitecture.attentionBiasName(TensorRole.K, l), kv, -1, arch.kvHeads()));
                out.add(new HfTensor(pre + "self_attn.v_proj.bias", ModelArchitecture.attentionBiasName(TensorRole.V, l), kv, -1, 0));
            }
            out.add(new HfTensor(pre + "post_attention_layernorm.weight", ModelArchitecture.ffnNormName(l), dim, -1, 0));
            out.add(new HfTensor(pre + "mlp.gate_proj.weight", TensorSpec.canonicalName(TensorRole.GATE, l), hidden, dim, 0));
            out.add(new HfTensor(pre + "mlp.up_proj.weight", TensorSpec.canonicalName(TensorRole.UP, l), hidden, dim, 0));
            out.add(new HfTensor(pre + "mlp.down_proj.weight", TensorSpec.canonicalName(TensorRole.DOWN, l), dim, hidden, 0));
        }
        out.add(new HfTensor("model.norm.weight", ModelArchitecture.outputNormName(), dim, -1, 0));
        if (!arch.tiedEmbeddings()) {
            out.add(new HfTensor("lm_head.weight", TensorSpec.canonicalName(TensorRole.LM_HEAD, -1), arch.vocabSize(), dim, 0));
        }
        return out;
    }

    /**
     * Gemma 3's tensors (and Gemma 2's, which lack the q/k norms): Llama's linear ones, the q/k norms, and four norms per block, whose Hugging Face names differ from
     * Llama's ({@code post_attention_layernorm} is the attention output's norm here, {@code pre_feedforward_layernorm} the
     * FFN's pre-norm; gguf-py's tensor_mapping.py maps them to {@code post_attention_norm} and {@code ffn_norm}). Every norm
     * is read as 1 + w ({@link ArchitectureFamily#hfNormOffset()}).
     */
    private static List<HfTensor> gemma3TensorMap(ModelArchitecture arch) {
        List<HfTensor> out = new ArrayList<>();
        int dim = arch.dim();
        int q = arch.qDim();
        int kv = arch.kvDim();
        int hidden = arch.hiddenDim();
        float one = arch.family().hfNormOffset();
        out.add(new HfTensor("model.embed_tokens.weight", TensorSpec.canonicalName(TensorRole.EMBEDDING, -1), arch.vocabSize(), dim, 0));
        for (int l = 0; l < arch.layers(); l++) {
            String pre = "model.layers." + l + ".";
            out.add(new HfTensor(pre + "input_layernorm.weight", ModelArchitecture.attentionNormName(l), dim, -1, 0, one));
            out.add(new HfTensor(pre + "self_attn.q_proj.weight", TensorSpec.canonicalName(TensorRole.Q, l), q, dim, arch.heads()));
            out.add(new HfTensor(pre + "self_attn.k_proj.weight", TensorSpec.canonicalName(TensorRole.K, l), kv, dim, arch.kvHeads()));
            out.add(new HfTensor(pre + "self_attn.v_proj.weight", TensorSpec.canonicalName(TensorRole.V, l), kv, dim, 0));
            out.add(new HfTensor(pre + "self_attn.o_proj.weight", TensorSpec.canonicalName(TensorRole.O, l), dim, q, 0));
            if (arch.qkNorm()) {
                out.add(new HfTensor(pre + "self_attn.q_norm.weight", ModelArchitecture.qkNormName(TensorRole.Q, l), arch.headDim(), -1, 1, one));
                out.add(new HfTensor(pre + "self_attn.k_norm.weight", ModelArchitecture.qkNormName(TensorRole.K, l), arch.headDim(), -1, 1, one));
            }
            out.add(new HfTensor(pre + "post_attention_layernorm.weight", ModelArchitecture.postAttentionNormName(l), dim, -1, 0, one));
            out.add(new HfTensor(pre + "pre_feedforward_layernorm.weight", ModelArchitecture.ffnNormName(l), dim, -1, 0, one));
            out.add(new HfTensor(pre + "post_feedforward_layernorm.weight", ModelArchitecture.postFfnNormName(l), dim, -1, 0, one));
            out.add(new HfTensor(pre + "mlp.gate_proj.weight", TensorSpec.canonicalName(TensorRole.GATE, l), hidden, dim, 0));
            out.add(new HfTensor(pre + "mlp.up_proj.weight", TensorSpec.canonicalName(TensorRole.UP, l), hidden, dim, 0));
            out.add(new HfTensor(pre + "mlp.down_proj.weight", TensorSpec.canonicalName(TensorRole.DOWN, l), dim, hidden, 0));
        }
        out.add(new HfTensor("model.norm.weight", ModelArchitecture.outputNormName(), dim, -1, 0, one));
        if (!arch.tiedEmbeddings()) {
            out.add(new HfTensor("lm_head.weight", TensorSpec.canonicalName(TensorRole.LM_HEAD, -1), arch.vocabSize(), dim, 0));
        }
        return out;
    }

    /**
     * Phi-3's tensors: Llama's, with q, k and v read as rows of {@code self_attn.qkv_proj.weight} (q | k | v) and gate and
     * up as rows of {@code mlp.gate_up_proj.weight} (gate | up), the stacks of {@link ModelArchitecture#stackedTensors()};
     * q and k rows in rotate-half order, as for Llama.
     */
    private static List<HfTensor> phi3TensorMap(ModelArchitecture arch) {
        List<HfTensor> out = new ArrayList<>();
        int dim = arch.dim();
        int hidden = arch.hiddenDim();
        Map<String, ModelArchitecture.StackedTensor> stackOf = arch.stacksByPart();
        out.add(new HfTensor("model.embed_tokens.weight", TensorSpec.canonicalName(TensorRole.EMBEDDING, -1), arch.vocabSize(), dim, 0));
        for (int l = 0; l < arch.layers(); l++) {
            String pre = "model.layers." + l + ".";
            out.add(new HfTensor(pre + "input_layernorm.weight", ModelArchitecture.attentionNormName(l), dim, -1, 0));
            int[] ropeHeads = {arch.heads(), arch.kvHeads(), 0};
            TensorRole[] qkv = {TensorRole.Q, TensorRole.K, TensorRole.V};
            for (int i = 0; i < 3; i++) {
                TensorSpec t = arch.tensor(TensorSpec.canonicalName(qkv[i], l));
                out.add(new HfTensor(pre + "self_attn.qkv_proj.weight", t.name(), t.rows(), t.cols(), ropeHeads[i], 0f, stackOf.get(t.name())));
            }
            out.add(new HfTensor(pre + "self_attn.o_proj.weight", TensorSpec.canonicalName(TensorRole.O, l), dim, arch.qDim(), 0));
            out.add(new HfTensor(pre + "post_attention_layernorm.weight", ModelArchitecture.ffnNormName(l), dim, -1, 0));
            for (TensorRole r : new TensorRole[] {TensorRole.GATE, TensorRole.UP}) {
                String n = TensorSpec.canonicalName(r, l);
                out.add(new HfTensor(pre + "mlp.gate_up_proj.weight", n, hidden, dim, 0, 0f, stackOf.get(n)));
            }
            out.add(new HfTensor(pre + "mlp.down_proj.weight", TensorSpec.canonicalName(TensorRole.DOWN, l), dim, hidden, 0));
        }
        out.add(new HfTensor("model.norm.weight", ModelArchitecture.outputNormName(), dim, -1, 0));
        if (!arch.tiedEmbeddings()) {
            out.add(new HfTensor("lm_head.weight", TensorSpec.canonicalName(TensorRole.LM_HEAD, -1), arch.vocabSize(), dim, 0));
        }
        return out;
    }

    /** Phi-2's tensors (rotate-half q/k rows kept as stored: ropeHeads 0). */
    private static List<HfTensor> phiTensorMap(ModelArchitecture arch) {
        List<HfTensor> out = new ArrayList<>();
        int dim = arch.dim();
        int kv = arch.kvDim();
        int hidden = arch.hiddenDim();
        out.add(new HfTensor("model.embed_tokens.weight", TensorSpec.canonicalName(TensorRole.EMBEDDING, -1), arch.vocabSize(), dim, 0));
        for (int l = 0; l < arch.layers(); l++) {
            String pre = "model.layers." + l + ".";
            String blk = "blk." + l + ".";
            out.add(new HfTensor(pre + "input_layernorm.weight", ModelArchitecture.attentionNormName(l), dim, -1, 0));
            out.add(new HfTensor(pre + "input_layernorm.bias", blk + "attn_norm.bias", dim, -1, 0));
            String[][] linear = {{"self_attn.q_proj", "attn_q"}, {"self_attn.k_proj", "attn_k"}, {"self_attn.v_proj", "attn_v"},
                {"self_attn.dense", "attn_output"}, {"mlp.fc1", "ffn_up"}, {"mlp.fc2", "ffn_down"}};
            int[][] shapes = {{dim, dim}, {kv, dim}, {kv, dim}, {dim, dim}, {hidden, dim}, {dim, hidden}};
            for (int i = 0; i < linear.length; i++) {
                out.add(new HfTensor(pre + linear[i][0] + ".weight", blk + linear[i][1] + ".weight", shapes[i][0], shapes[i][1], 0));
                out.add(new HfTensor(pre + linear[i][0] + ".bias", blk + linear[i][1] + ".bias", shapes[i][0], -1, 0));
            }
        }
        out.add(new HfTensor("model.final_layernorm.weight", ModelArchitecture.outputNormName(), dim, -1, 0));
        out.add(new HfTensor("model.final_layernorm.bias", "output_norm.bias", dim, -1, 0));
        out.add(new HfTensor("lm_head.weight", TensorSpec.canonicalName(TensorRole.LM_HEAD, -1), arch.vocabSize(), dim, 0));
        out.add(new HfTensor("lm_head.bias", "output.bias", arch.vocabSize(), -1, 0));
        return out;
    }

    /** Finds Hugging Face tensors, checks dtype and shape, and records their canonical locations. */
    private record Locator(List<SafetensorsFile> files, Map<String, Integer> shardOf, String keyFile,
                           Map<String, StoredWeights.Location> out) {
        void add(HfTensor want) {
            String hfName = want.hfName();
            Integer idx = shardOf.get(hfName);
            if (idx == null) throw new InvalidInputException(keyFile, hfName, "missing tensor");
            SafetensorsFile f = files.get(idx);
            SafetensorsFile.Tensor t = f.tensors().get(hfName);
            if (t == null) throw new InvalidInputException(f.source(), hfName, "missing tensor (the index lists it in this shard)");
            List<Long> expected = want.shape();
            if (!t.shape().equals(expected)) {
                throw new InvalidInputException(f.source(), hfName, "shape " + t.shape() + " but config.json implies " + expected);
            }
            StorageType st = t.storageType();
            if (st == null) throw new InvalidInputException(f.source(), hfName + ".dtype", "dtype " + t.dtype() + " is not supported (F32, F16, BF16 are)");
            // a part of a stack is its rows' byte range inside the stored tensor (rows are contiguous, row-major)
            long count = want.stack() == null ? t.elementCount() : (long) want.rows() * want.cols();
            long skip = (long) want.rowOffset() * Math.max(1, want.cols()) * st.bytesPerValue();
            out.put(want.canonical(), new StoredWeights.Location(idx, f.dataStart() + t.dataBegin() + skip, count, st.ggml(),
                    want.rows(), want.ropeHeads(), want.addend()));
        }
    }

    /** Values from config.json. */
    private record Parsed(String name, ArchitectureFamily family, int dim, int hidden, int layers, int heads, int kvHeads,
                          int headDim, int rotaryDims, int vocab, int maxSeq, Boolean tied, double eps, double theta, boolean synthetic,
                          RopeScaling rope, SlidingWindow window, double attentionScale, LogitSoftcaps softcaps) { }

    private static Parsed parseConfig(String f, JsonNode c, String dirName) {
        if (!c.isObject()) throw new InvalidInputException(f, "(root)", "config is not a JSON object");
        JsonNode archs = c.get("architectures");
        if (archs == null || !archs.isArray() || archs.isEmpty()) {
            throw new InvalidInputException(f, "architectures", "missing or empty; expected e.g. [\"LlamaForCausalLM\"]");
        }
        String arch = archs.get(0).asText();
        ArchitectureFamily family = switch (arch) {
            case "LlamaForCausalLM", "MistralForCausalLM" -> ArchitectureFamily.LLAMA;
            case "Qwen2ForCausalLM" -> ArchitectureFamily.QWEN2;
            case "Qwen3ForCausalLM" -> ArchitectureFamily.QWEN3;
            case "Gemma3ForCausalLM" -> ArchitectureFamily.GEMMA3;
            case "Gemma2ForCausalLM" -> ArchitectureFamily.GEMMA2;
            case "Phi3ForCausalLM" -> ArchitectureFamily.PHI3;
            case "PhiForCausalLM" -> ArchitectureFamily.PHI2;
            case "SmolLM3ForCausalLM" -> ArchitectureFamily.SMOLLM3;
            default -> throw new InvalidInputException(f, "architectures", "architecture " + arch
                    + " is not supported (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, Gemma2ForCausalLM, Gemma3ForCausalLM,"
                    + " Phi3ForCausalLM, PhiForCausalLM, SmolLM3ForCausalLM are)");
        };
        if (family == ArchitectureFamily.SMOLLM3) checkSmolLm3(f, c);
        boolean gemma3 = family == ArchitectureFamily.GEMMA3;
        boolean gemma = family.gemma();
        boolean phi3 = family == ArchitectureFamily.PHI3;
        if (gemma3) c = Gemma3Config.flattenRope(f, c);
        // before the generic RoPE rules, which would refuse Phi-3's other rules less specifically
        if (phi3) Phi3Config.check(f, c);
        int dim = posInt(f, c, "hidden_size", null);
        int hidden = posInt(f, c, "intermediate_size", null);
        int layers = posInt(f, c, "num_hidden_layers", null);
        int heads = posInt(f, c, "num_attention_heads", null);
        int kvHeads = posInt(f, c, "num_key_value_heads", heads);
        int vocab = posInt(f, c, "vocab_size", null);
        int maxSeq = posInt(f, c, "max_position_embeddings", null);
        boolean phi = family == ArchitectureFamily.PHI2;
        JsonNode modelType = c.get("model_type");
        if (phi && modelType != null && !modelType.isNull() && !modelType.asText().equals("phi")) {
            throw new InvalidInputException(f, "architectures", "architecture " + arch + " disagrees with model_type " + modelType);
        }
        String epsKey = phi ? "layer_norm_eps" : "rms_norm_eps";
        double eps = number(f, c, epsKey, phi || phi3 ? 1e-5 : 1e-6);   // PhiConfig's and Phi3Config's default
        if (phi) checkPhi2(f, c);
        // Gemma3TextConfig's defaults: rope_theta 1e6, head_dim 256 (Gemma2Config's: 10000, 256)
        double[] thetaOut = {number(f, c, "rope_theta", gemma3 ? 1_000_000.0 : 10000.0)};
        JsonNode hd = c.get("head_dim");
        if (gemma && (hd == null || hd.isNull())) hd = com.fasterxml.jackson.databind.node.IntNode.valueOf(256);
        boolean explicitHead = hd != null && !hd.isNull();
        if (explicitHead && (!hd.isIntegralNumber() || !hd.canConvertToInt() || hd.asInt() < 1)) {
            throw new InvalidInputException(f, "head_dim", "value " + hd + " is not a positive integer");
        }
        if (!explicitHead && dim % heads != 0) throw new InvalidInputException(f, "num_attention_heads", heads + " does not divide hidden_size " + dim);
        if (kvHeads > heads || heads % kvHeads != 0) {
            throw new InvalidInputException(f, "num_key_value_heads", kvHeads + " does not divide num_attention_heads " + heads);
        }
        int headDim = explicitHead ? hd.asInt() : dim / heads;
        if ((phi || phi3) && headDim * heads != dim) {
            // llama.cpp's phi3 loader also sizes q and attn_output by the width
            throw new InvalidInputException(f, "head_dim", "head_dim " + hd + " differs from hidden_size / num_attention_heads = "
                    + dim / heads + "; not supported for " + (phi ? "Phi-2" : "Phi-3"));
        }
        if (headDim % 2 != 0) throw new InvalidInputException(f, explicitHead ? "head_dim" : "num_attention_heads", "head size " + headDim + " is odd; RoPE needs pairs");
        // Phi-2's width is its family's (checkPhi2); Phi-3's may be partial (Phi-4-mini); the others rotate whole heads
        int rotaryDims = phi3 ? Phi3Config.rotaryDims(f, c, headDim) : ModelArchitecture.defaultRotaryDims(family, headDim);
        RopeScaling rope = rope(f, c, maxSeq, rotaryDims, phi3, thetaOut);
        double theta = thetaOut[0];
        if (phi && rope.type() != RopeScaling.Type.DEFAULT) {
            throw new InvalidInputException(f, c.has("rope_parameters") ? "rope_parameters" : "rope_scaling", "RoPE scaling is not supported for Phi-2");
        }
        if (family == ArchitectureFamily.QWEN3 || gemma || phi3) {
            JsonNode bias = c.get("attention_bias");
            if (bias != null && bias.asBoolean(false)) {
                throw new InvalidInputException(f, "attention_bias", "q/k/v biases on a " + family + " model are not supported (it has none)");
            }
        }
        if (theta <= 0) throw new InvalidInputException(f, "rope_theta", "must be positive");
        if (family == ArchitectureFamily.GEMMA2 && rope.type() != RopeScaling.Type.DEFAULT) {
            // its local layers rotate like its global ones, where EdgeFront's local layers are never scaled (Gemma 3's rule)
            throw new InvalidInputException(f, c.has("rope_parameters") ? "rope_parameters" : "rope_scaling", "RoPE scaling on a Gemma 2 model is not supported");
        }
        SlidingWindow window = gemma ? Gemma3Config.slidingWindow(f, c, layers, family, theta) : SlidingWindow.NONE;
        double attentionScale = gemma ? Gemma3Config.attentionScale(f, c) : 1.0 / Math.sqrt(headDim);
        LogitSoftcaps softcaps = gemma ? Gemma3Config.softcaps(f, c, family) : LogitSoftcaps.NONE;
        if (eps <= 0) throw new InvalidInputException(f, epsKey, "must be positive");
        if (theta <= 0) throw new InvalidInputException(f, "rope_theta", "must be positive");
        Boolean tied = null;
        JsonNode t = c.get("tie_word_embeddings");
        if (t != null && !t.isNull()) {
            if (!t.isBoolean()) throw new InvalidInputException(f, "tie_word_embeddings", "value " + t + " is not true or false");
            tied = t.asBoolean();
        }
        if (phi && Boolean.TRUE.equals(tied)) throw new InvalidInputException(f, "tie_word_embeddings", "Phi-2 models have an untied LM head with a bias");
        if (phi) tied = false;
        boolean synthetic = false;
        JsonNode s = c.get(SYNTHETIC_KEY);
        if (s != null && !s.isNull()) {
            if (!s.isBoolean()) throw new InvalidInputException(f, SYNTHETIC_KEY, "value " + s + " is not true or false");
            synthetic = s.asBoolean();
        }
        JsonNode n = c.get(NAME_KEY);
        String name = n != null && n.isTextual() && !n.asText().isBlank() ? n.asText() : dirName;
        return new Parsed(name, family, dim, hidden, layers, heads, kvHeads, headDim, rotaryDims, vocab, maxSeq, tied, eps, theta, synthetic,
                rope, window, attentionScale, softcaps);
    }

    /**
     * Refuses a SmolLM3 config that the forward pass (and llama.cpp's smollm3 graph, which fixes the step at 4) would run
     * differently: NoPE layers other than every fourth ({@code no_rope_layers}: 1 where RoPE applies, transformers' default
     * from {@code no_rope_layer_interval}), sliding-window attention, biases.
     */
    private static void checkSmolLm3(String f, JsonNode c) {
        JsonNode interval = c.get("no_rope_layer_interval");
        if (interval != null && !interval.isNull() && interval.asInt(-1) != ArchitectureFamily.SMOLLM3_NO_ROPE_INTERVAL) {
            throw new InvalidInputException(f, "no_rope_layer_interval", "value " + interval + " is not supported (RoPE left out of every "
                    + ArchitectureFamily.SMOLLM3_NO_ROPE_INTERVAL + "th layer is, as in llama.cpp)");
        }
        JsonNode layers = c.get("no_rope_layers");
        if (layers != null && !layers.isNull()) {
            int n = c.path("num_hidden_layers").asInt(-1);
            if (!layers.isArray() || layers.size() != n) throw new InvalidInputException(f, "no_rope_layers", "not an array of " + n + " flags");
            for (int l = 0; l < n; l++) {
                int want = ArchitectureFamily.SMOLLM3.rotatesLayer(l) ? 1 : 0;
                if (!layers.get(l).isIntegralNumber() || layers.get(l).asInt() != want) {
                    throw new InvalidInputException(f, "no_rope_layers[" + l + "]", "value " + layers.get(l) + " breaks the period of "
                            + ArchitectureFamily.SMOLLM3_NO_ROPE_INTERVAL + " (" + want + " expected: RoPE on every layer but every fourth)");
                }
            }
        }
        for (String key : new String[] {"use_sliding_window", "attention_bias", "mlp_bias"}) {
            JsonNode v = c.get(key);
            if (v != null && v.asBoolean(false)) throw new InvalidInputException(f, key, "true is not supported for SmolLM3");
        }
        JsonNode act = c.get("hidden_act");
        if (act != null && !act.isNull() && !act.asText().equals("silu")) {
            throw new InvalidInputException(f, "hidden_act", "activation " + act + " is not supported (silu is)");
        }
    }

    /**
     * RoPE settings from transformers 5's {@code rope_parameters} (which also holds {@code rope_theta}) or transformers
     * 4's {@code rope_scaling} (theta at the top level); when both are there they must agree. Rule names and keys are
     * checked strictly: an unknown rule or key is refused by name rather than run as plain RoPE.
     *
     * @param rotaryDims rotated dimensions per head (LongRoPE has a factor per pair)
     * @param phi3       Phi-3's rules: LongRoPE accepted (the only family whose GGUF holds its factors), and a
     *                   {@code partial_rotary_factor} inside left to {@link Phi3Config#rotaryDims} (elsewhere only 1 is)
     * @param theta      in: the top-level {@code rope_theta} (or its default); out: the base to use
     */
    private static RopeScaling rope(String f, JsonNode c, int maxSeq, int rotaryDims, boolean phi3, double[] theta) {
        JsonNode rp = c.get("rope_parameters");
        JsonNode rs = c.get("rope_scaling");
        boolean hasRp = rp != null && !rp.isNull();
        boolean hasRs = rs != null && !rs.isNull();
        if (!hasRp && !hasRs) return RopeScaling.NONE;
        if (hasRp) {
            if (!rp.isObject()) throw new InvalidInputException(f, "rope_parameters", "value " + rp + " is not an object");
            if (!rp.has("rope_type") && rp.size() > 0 && rp.elements().next().isObject()) {
                throw new InvalidInputException(f, "rope_parameters", "RoPE parameters per layer type (" + rp.fieldNames().next()
                        + ", ...) are not supported");
            }
            JsonNode t = rp.get("rope_theta");
            if (t != null && !t.isNull()) {
                if (!t.isNumber() || !(t.asDouble() > 0)) throw new InvalidInputException(f, "rope_parameters.rope_theta", "value " + t + " is not a positive number");
                JsonNode top = c.get("rope_theta");
                if (top != null && !top.isNull() && top.isNumber() && top.asDouble() != t.asDouble()) {
                    throw new InvalidInputException(f, "rope_parameters.rope_theta", "value " + t + " disagrees with rope_theta " + top);
                }
                theta[0] = t.asDouble();
            }
        }
        RopeScaling fromRp = hasRp ? ropeRule(f, "rope_parameters", rp, c, maxSeq, rotaryDims, phi3) : null;
        RopeScaling fromRs = hasRs ? ropeRule(f, "rope_scaling", rs, c, maxSeq, rotaryDims, phi3) : null;
        if (fromRp != null && fromRs != null && !fromRp.equals(fromRs)) {
            throw new InvalidInputException(f, "rope_scaling", "disagrees with rope_parameters (" + fromRs.type().configName() + " vs "
                    + fromRp.type().configName() + ")");
        }
        return fromRp != null ? fromRp : fromRs;
    }

    private static RopeScaling ropeRule(String f, String field, JsonNode r, JsonNode c, int maxSeq, int rotaryDims, boolean phi3) {
        if (!r.isObject()) throw new InvalidInputException(f, field, "value " + r + " is not an object");
        String typeField = field + (r.has("rope_type") ? ".rope_type" : ".type");
        JsonNode typeNode = r.has("rope_type") ? r.get("rope_type") : r.get("type");
        String type = typeNode == null || typeNode.isNull() ? "default" : typeNode.asText();
        if (type.equals("su")) type = "longrope";   // LongRoPE's name in early Phi-3 configs
        java.util.Set<String> allowed = new java.util.HashSet<>(List.of("rope_type", "type", "rope_theta", "partial_rotary_factor"));
        switch (type) {
            case "default" -> { }
            case "linear" -> allowed.add("factor");
            case "llama3" -> allowed.addAll(List.of("factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"));
            case "yarn" -> allowed.addAll(List.of("factor", "original_max_position_embeddings", "beta_fast", "beta_slow", "attention_factor",
                    "mscale", "mscale_all_dim", "truncate"));
            case "longrope" -> {
                if (!phi3) throw new InvalidInputException(f, typeField, "RoPE type 'longrope' is supported for Phi-3 only");
                allowed.addAll(List.of("long_factor", "short_factor", "factor", "original_max_position_embeddings", "attention_factor"));
            }
            default -> throw new InvalidInputException(f, typeField, "RoPE type '" + type
                    + "' is not supported (default, linear, llama3, yarn, and longrope for Phi-3 are)");
        }
        for (java.util.Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) throw new InvalidInputException(f, field + "." + k, "key is not understood for RoPE type " + type + "; refusing rather than ignoring it");
        }
        JsonNode prf = r.get("partial_rotary_factor");
        if (!phi3 && prf != null && !prf.isNull() && (!prf.isNumber() || prf.asDouble() != 1.0)) {
            throw new InvalidInputException(f, field + ".partial_rotary_factor", "value " + prf + " is not supported (1.0 is)");
        }
        try {
            return switch (type) {
                case "linear" -> RopeScaling.linear(positive(f, field, r, "factor", null));
                case "llama3" -> RopeScaling.llama3(positive(f, field, r, "factor", null), positive(f, field, r, "low_freq_factor", null),
                        positive(f, field, r, "high_freq_factor", null), (int) positive(f, field, r, "original_max_position_embeddings", null));
                case "yarn" -> yarn(f, field, r, maxSeq);
                case "longrope" -> longRope(f, field, r, c, maxSeq, rotaryDims);
                default -> RopeScaling.NONE;
            };
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(f, field, e.getMessage());
        }
    }

    private static RopeScaling yarn(String f, String field, JsonNode r, int maxSeq) {
        double factor = positive(f, field, r, "factor", null);
        JsonNode truncate = r.get("truncate");
        if (truncate != null && !truncate.isNull() && !truncate.asBoolean(true)) {
            throw new InvalidInputException(f, field + ".truncate", "false is not supported (the published YaRN rounds the ramp bounds)");
        }
        int original = maxSeq;
        if (r.has("original_max_position_embeddings") && !r.get("original_max_position_embeddings").isNull()) {
            original = (int) positive(f, field, r, "original_max_position_embeddings", null);
            // transformers versions differ here: later ones replace factor by max_position_embeddings / original
            if (Math.abs((double) maxSeq / original - factor) > 1e-9 * factor) {
                throw new InvalidInputException(f, field + ".factor", "factor " + factor + " differs from max_position_embeddings / "
                        + "original_max_position_embeddings = " + maxSeq + " / " + original + "; implementations disagree on which to use,"
                        + " so EdgeFront refuses rather than guess (make them agree)");
            }
        }
        Double attention = r.has("attention_factor") && !r.get("attention_factor").isNull() ? positive(f, field, r, "attention_factor", null) : null;
        JsonNode ms = r.get("mscale");
        JsonNode msAll = r.get("mscale_all_dim");
        if (attention == null && ms != null && !ms.isNull() && msAll != null && !msAll.isNull() && ms.asDouble() != 0 && msAll.asDouble() != 0) {
            double a = factor <= 1 ? 1 : 0.1 * ms.asDouble() * Math.log(factor) + 1;
            double b = factor <= 1 ? 1 : 0.1 * msAll.asDouble() * Math.log(factor) + 1;
            attention = a / b;
        }
        return RopeScaling.yarn(factor, original, positive(f, field, r, "beta_fast", 32.0), positive(f, field, r, "beta_slow", 1.0), attention);
    }

    /**
     * LongRoPE as transformers computes it. The original context is the top-level {@code original_max_position_embeddings}
     * (where Phi-3 configs keep it, and which transformers 5 prefers), else the rule's own key, else
     * {@code max_position_embeddings}; two that differ are refused. The attention factor is {@code attention_factor}, else
     * the default from the context stretch, which transformers 4 and llama.cpp's converter take as max_position_embeddings /
     * original and transformers 5 as {@code factor} when given: a {@code factor} other than the ratio is refused unless
     * {@code attention_factor} makes it irrelevant.
     */
    private static RopeScaling longRope(String f, String field, JsonNode r, JsonNode c, int maxSeq, int rotaryDims) {
        int original = maxSeq;
        JsonNode inner = r.get("original_max_position_embeddings");
        if (inner != null && !inner.isNull()) {
            if (!inner.isIntegralNumber() || !inner.canConvertToInt() || inner.asInt() < 1) {
                throw new InvalidInputException(f, field + ".original_max_position_embeddings", "value " + inner + " is not a positive integer");
            }
            original = inner.asInt();
        }
        JsonNode top = c.get("original_max_position_embeddings");
        if (top != null && !top.isNull()) {
            int t = posInt(f, c, "original_max_position_embeddings", null);
            if (inner != null && !inner.isNull() && t != original) {
                throw new InvalidInputException(f, field + ".original_max_position_embeddings", "value " + original
                        + " disagrees with the top-level original_max_position_embeddings " + t);
            }
            original = t;
        }
        Double attention = r.has("attention_factor") && !r.get("attention_factor").isNull() ? positive(f, field, r, "attention_factor", null) : null;
        double ratio = (double) maxSeq / original;
        double factor = ratio;
        if (r.has("factor") && !r.get("factor").isNull()) {
            factor = positive(f, field, r, "factor", null);
            if (attention == null && Math.abs(ratio - factor) > 1e-9 * factor) {
                throw new InvalidInputException(f, field + ".factor", "factor " + factor + " differs from max_position_embeddings / "
                        + "original_max_position_embeddings = " + maxSeq + " / " + original + "; implementations disagree on which sets the"
                        + " default attention_factor, so EdgeFront refuses rather than guess (make them agree or give attention_factor)");
            }
        }
        return RopeScaling.longRope(factors(f, field, r, "long_factor", rotaryDims), factors(f, field, r, "short_factor", rotaryDims),
                factor, original, attention);
    }

    /**
     * A LongRoPE factor list: one positive finite number per rotated pair of a head, {@code rotaryDims / 2} (transformers'
     * Phi3Config and llama.cpp's converter both size them by the rotated dimensions).
     */
    private static List<Double> factors(String f, String field, JsonNode r, String key, int rotaryDims) {
        String at = field + "." + key;
        JsonNode v = r.get(key);
        if (v == null || v.isNull()) throw new InvalidInputException(f, at, "missing");
        if (!v.isArray()) throw new InvalidInputException(f, at, "value " + v + " is not a list of numbers");
        if (v.size() != rotaryDims / 2) {
            throw new InvalidInputException(f, at, v.size() + " values, but " + rotaryDims + " rotated dimensions per head have "
                    + rotaryDims / 2 + " frequency pairs");
        }
        List<Double> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isNumber() || !(e.asDouble() > 0) || Double.isInfinite(e.asDouble())) {
                throw new InvalidInputException(f, at + "[" + i + "]", "value " + e + " is not a positive finite number");
            }
            out.add(e.asDouble());
        }
        return out;
    }

    private static double positive(String f, String field, JsonNode r, String key, Double dflt) {
        JsonNode v = r.get(key);
        if (v == null || v.isNull()) {
            if (dflt != null) return dflt;
            throw new InvalidInputException(f, field + "." + key, "missing");
        }
        if (!v.isNumber() || !(v.asDouble() > 0)) throw new InvalidInputException(f, field + "." + key, "value " + v + " is not a positive number");
        return v.asDouble();
    }

    /** The Phi settings the Phi-2 forward pass implements; anything else would be computed wrongly, so it is rejected. */
    private static void checkPhi2(String f, JsonNode c) {
        double rotary = number(f, c, "partial_rotary_factor", 0.5);   // PhiConfig's default
        double phi2 = ArchitectureFamily.PHI2.defaultPartialRotaryFactor();
        if (Math.abs(rotary - phi2) > 1e-9) {
            throw new InvalidInputException(f, "partial_rotary_factor", "value " + rotary + " is not supported (only Phi-2's " + phi2 + ")");
        }
        JsonNode act = c.get("hidden_act");
        if (act != null && !act.isNull() && !act.asText().equals("gelu_new") && !act.asText().equals("gelu_pytorch_tanh")) {
            throw new InvalidInputException(f, "hidden_act", "activation " + act + " is not supported (gelu_new is)");
        }
        JsonNode qkNorm = c.get("qk_layernorm");
        if (qkNorm != null && qkNorm.asBoolean(false)) throw new InvalidInputException(f, "qk_layernorm", "q/k LayerNorm is not supported");
    }

    private static int posInt(String f, JsonNode c, String key, Integer dflt) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) {
            if (dflt != null) return dflt;
            throw new InvalidInputException(f, key, "missing");
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
            throw new InvalidInputException(f, key, "value " + v + " is not a positive integer");
        }
        return v.asInt();
    }

    private static double number(String f, JsonNode c, String key, double dflt) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber()) throw new InvalidInputException(f, key, "value " + v + " is not a number");
        return v.asDouble();
    }

    static JsonNode readJson(String uri, Configuration conf) throws IOException {
        FileStatus st = HadoopFiles.statusOrNull(uri, conf);
        if (st == null) throw new InvalidInputException(uri, "path", "no such file");
        byte[] b = HadoopFiles.readAll(uri, MAX_JSON_BYTES, conf);
        try {
            ObjectMapper om = new ObjectMapper();
            om.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            // decode as UTF-8 ourselves: Jackson's encoding detection throws plain IOExceptions on odd bytes
            JsonNode n = om.readTree(new String(b, java.nio.charset.StandardCharsets.UTF_8));
            if (n == null || !n.isObject()) throw new InvalidInputException(uri, "(root)", "not a JSON object");
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInputException(uri, "(json)", "invalid JSON: " + e.getOriginalMessage(), e);
        }
    }

    static String lastSegment(String uri) {
        String s = uri;
        while (s.length() > 1 && s.endsWith("/")) s = s.substring(0, s.length() - 1);
        int slash = s.lastIndexOf('/');
        String seg = slash >= 0 ? s.substring(slash + 1) : s;
        return seg.isEmpty() ? "model" : seg;
    }
}
