package org.edgefront.space.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.RopeScaling;

/**
 * Writes weights as a Hugging Face model directory that {@link HuggingFaceModel} reads back:
 * {@code config.json} (with {@link HuggingFaceModel#SYNTHETIC_KEY} and {@link HuggingFaceModel#NAME_KEY}
 * so generated weights stay labelled) and {@code model.safetensors}, or {@code model-0000i-of-0000n.safetensors}
 * shards plus {@code model.safetensors.index.json}. The q and k rows are written in Hugging Face's
 * rotate-half order (see {@link RopeLayout}; with partial rotary, Phi-3's {@code partial_rotary_factor}, only the rotated
 * rows of each head); Phi-3's q, k, v and gate, up are stacked again into {@code qkv_proj} and
 * {@code gate_up_proj} ({@link ModelArchitecture#stackedTensors()}), never split across shards. Stateless; reads each tensor once and streams it out.
 */
public final class HuggingFaceWriter {
    private HuggingFaceWriter() { }

    /** Writes with a default Hadoop configuration. */
    public static void write(ModelWeights weights, String dirUri, StorageType dtype, int shards) throws IOException {
        write(weights, dirUri, dtype, shards, new Configuration());
    }

    /**
     * Writes a model directory (created if needed; existing files of the same names are replaced).
     *
     * @param dtype  storage type of every tensor
     * @param shards number of safetensors files; 1 writes a single {@code model.safetensors} and no index
     */
    public static void write(ModelWeights weights, String dirUri, StorageType dtype, int shards, Configuration conf) throws IOException {
        ModelArchitecture a = weights.architecture();
        if (dtype.blockValues() != 1) throw new IllegalArgumentException("safetensors stores F32, F16 or BF16, not " + dtype);
        if (a.family() == ArchitectureFamily.PHI2) throw new IllegalArgumentException("writing Phi-2 directories is not supported");
        if (a.rotaryDims() != a.headDim() && a.family() != ArchitectureFamily.PHI3) {
            throw new IllegalArgumentException("partial rotary (" + a.rotaryDims() + " of " + a.headDim() + ") is written for Phi-3 only, not " + a.family());
        }
        // one stored tensor each: a plain tensor alone, or the consecutive parts of a stack (Phi-3's qkv_proj, gate_up_proj)
        List<List<HuggingFaceModel.HfTensor>> all = new ArrayList<>();
        for (HuggingFaceModel.HfTensor t : HuggingFaceModel.tensorMap(a)) {
            List<HuggingFaceModel.HfTensor> last = all.isEmpty() ? null : all.get(all.size() - 1);
            if (t.stack() != null && last != null && last.get(0).hfName().equals(t.hfName())) last.add(t);
            else all.add(new ArrayList<>(List.of(t)));
        }
        if (shards < 1 || shards > all.size()) throw new IllegalArgumentException("shards " + shards + " not in 1.." + all.size());
        HadoopFiles.mkdirs(dirUri, conf);
        ObjectMapper om = new ObjectMapper();

        // split in file order into shards of roughly equal bytes
        long total = 0;
        for (List<HuggingFaceModel.HfTensor> t : all) total += bytes(t.get(0), dtype);
        List<List<List<HuggingFaceModel.HfTensor>>> groups = new ArrayList<>();
        long cumulative = 0;
        int g = 0;
        for (int i = 0; i < all.size(); i++) {
            List<HuggingFaceModel.HfTensor> t = all.get(i);
            long b = bytes(t.get(0), dtype);
            // the shard whose share of the bytes holds this tensor's midpoint, moving at most one shard per
            // tensor and late enough that every remaining shard still gets a tensor
            int desired = (int) Math.min(shards - 1, (cumulative + b / 2) * shards / Math.max(1, total));
            int lowest = Math.max(shards - (all.size() - i), i == 0 ? 0 : g);
            g = i == 0 ? 0 : Math.max(lowest, Math.min(desired, g + 1));
            if (g == groups.size()) groups.add(new ArrayList<>());
            groups.get(g).add(t);
            cumulative += b;
        }
        if (groups.size() != shards) throw new IllegalStateException("sharding produced " + groups.size() + " of " + shards + " (bug)");

        ObjectNode weightMap = om.createObjectNode();
        for (int s = 0; s < groups.size(); s++) {
            String file = shards == 1 ? HuggingFaceModel.SINGLE
                    : String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", s + 1, shards);
            writeSafetensors(weights, HadoopFiles.child(dirUri, file), groups.get(s), dtype, om, conf);
            for (List<HuggingFaceModel.HfTensor> t : groups.get(s)) weightMap.put(t.get(0).hfName(), file);
        }
        if (shards > 1) {
            ObjectNode index = om.createObjectNode();
            index.putObject("metadata").put("total_size", total);
            index.set("weight_map", weightMap);
            byte[] json = om.writerWithDefaultPrettyPrinter().writeValueAsBytes(index);
            HadoopFiles.write(HadoopFiles.child(dirUri, HuggingFaceModel.INDEX), conf, out -> out.write(json));
        }
        byte[] config = om.writerWithDefaultPrettyPrinter().writeValueAsBytes(config(a, dtype, om));
        HadoopFiles.write(HadoopFiles.child(dirUri, HuggingFaceModel.CONFIG), conf, out -> out.write(config));
    }

    /** Bytes of the stored tensor {@code t} is (a part of). */
    private static long bytes(HuggingFaceModel.HfTensor t, StorageType dtype) {
        long n = 1;
        for (long d : t.shape()) n *= d;
        return n * dtype.bytesPerValue();
    }

    private static ObjectNode config(ModelArchitecture a, StorageType dtype, ObjectMapper om) {
        ObjectNode c = om.createObjectNode();
        String[] type = switch (a.family()) {
            case QWEN2 -> new String[] {"Qwen2ForCausalLM", "qwen2"};
            case QWEN3 -> new String[] {"Qwen3ForCausalLM", "qwen3"};
            case GEMMA3 -> new String[] {"Gemma3ForCausalLM", "gemma3_text"};
            case GEMMA2 -> new String[] {"Gemma2ForCausalLM", "gemma2"};
            case SMOLLM3 -> new String[] {"SmolLM3ForCausalLM", "smollm3"};
            case PHI3 -> new String[] {"Phi3ForCausalLM", "phi3"};
            default -> new String[] {"LlamaForCausalLM", "llama"};
        };
        c.putArray("architectures").add(type[0]);
        c.put("model_type", type[1]);
        c.put("hidden_size", a.dim());
        // Qwen3's and Gemma 3's configs always name head_dim and attention_bias; others only need head_dim when it is not hidden / heads
        boolean named = a.family() == ArchitectureFamily.QWEN3 || a.family().gemma();
        if (named || a.qDim() != a.dim()) c.put("head_dim", a.headDim());
        if (named) c.put("attention_bias", false);
        if (a.family().gemma()) Gemma3Config.write(c, a);
        if (a.family() == ArchitectureFamily.PHI3) Phi3Config.write(c, a);
        if (a.family() == ArchitectureFamily.SMOLLM3) {
            c.put("no_rope_layer_interval", ArchitectureFamily.SMOLLM3_NO_ROPE_INTERVAL);
            var flags = c.putArray("no_rope_layers");
            for (int l = 0; l < a.layers(); l++) flags.add(a.family().rotatesLayer(l) ? 1 : 0);
            c.put("use_sliding_window", false);
        }
        c.put("intermediate_size", a.hiddenDim());
        c.put("num_hidden_layers", a.layers());
        c.put("num_attention_heads", a.heads());
        c.put("num_key_value_heads", a.kvHeads());
        c.put("vocab_size", a.vocabSize());
        c.put("max_position_embeddings", a.maxSeqLen());
        c.put("rms_norm_eps", a.normEps());
        c.put("rope_theta", a.ropeTheta());
        RopeScaling r = a.ropeScaling();
        if (r.type() != RopeScaling.Type.DEFAULT) {
            // transformers 4's rope_scaling, which transformers 5 still reads
            ObjectNode rs = c.putObject("rope_scaling").put("rope_type", r.type().configName()).put("factor", r.factor());
            if (r.type() == RopeScaling.Type.LLAMA3) {
                rs.put("low_freq_factor", r.lowFreqFactor()).put("high_freq_factor", r.highFreqFactor())
                        .put("original_max_position_embeddings", r.originalContext());
            } else if (r.type() == RopeScaling.Type.YARN) {
                rs.put("original_max_position_embeddings", r.originalContext()).put("beta_fast", r.betaFast()).put("beta_slow", r.betaSlow())
                        .put("attention_factor", r.attentionFactor());
            } else if (r.type() == RopeScaling.Type.LONGROPE) {
                // the attention factor explicit, so that no transformers version derives it from factor or the context ratio
                rs.put("original_max_position_embeddings", r.originalContext()).put("attention_factor", r.attentionFactor());
                r.longFactors().forEach(rs.putArray("long_factor")::add);
                r.shortFactors().forEach(rs.putArray("short_factor")::add);
            }
        }
        c.put("tie_word_embeddings", a.tiedEmbeddings());
        if (!a.family().gemma() && a.family() != ArchitectureFamily.PHI3) c.put("hidden_act", "silu");
        c.put("bos_token_id", 1);
        c.put("eos_token_id", 2);
        c.put("torch_dtype", switch (dtype) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> throw new IllegalArgumentException(dtype.toString());
        });
        c.put(HuggingFaceModel.SYNTHETIC_KEY, a.synthetic());
        c.put(HuggingFaceModel.NAME_KEY, a.name());
        return c;
    }

    /** Writes one safetensors file of {@code tensors}, each a stored tensor: one canonical tensor, or a stack's parts in order. */
    private static void writeSafetensors(ModelWeights weights, String uri, List<List<HuggingFaceModel.HfTensor>> tensors,
                                         StorageType dtype, ObjectMapper om, Configuration conf) throws IOException {
        ObjectNode header = om.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (List<HuggingFaceModel.HfTensor> parts : tensors) {
            HuggingFaceModel.HfTensor t = parts.get(0);
            ObjectNode e = header.putObject(t.hfName());
            e.put("dtype", dtype.name());
            ArrayNode shape = e.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            long n = bytes(t, dtype);
            e.putArray("data_offsets").add(offset).add(offset + n);
            offset += n;
        }
        byte[] json = om.writeValueAsBytes(header);
        int padded = (json.length + 8 + 7) / 8 * 8 - 8; // data section starts 8-byte aligned, padded with spaces
        byte[] headerBytes = new byte[padded];
        java.util.Arrays.fill(headerBytes, (byte) ' ');
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        HadoopFiles.write(uri, conf, raw -> {
            OutputStream out = new BufferedOutputStream(raw, 1 << 16);
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(headerBytes);
            // a stack's parts one after the other: their rows, contiguous, are the stacked tensor
            for (List<HuggingFaceModel.HfTensor> parts : tensors) for (HuggingFaceModel.HfTensor t : parts) {
                float[] v = weights.read(t.canonical());
                if (t.ropeHeads() > 0) v = RopeLayout.interleavedToRotateHalf(v, t.rows(), t.ropeHeads(), weights.architecture().rotaryDims());
                if (t.addend() != 0) {
                    // into a new array: the weights may hand out their own
                    float[] stored = new float[v.length];
                    for (int i = 0; i < v.length; i++) stored[i] = v[i] - t.addend();
                    v = stored;
                }
                TensorEncoding.write(out, v, dtype);
            }
            out.flush();
        });
        assert new String(headerBytes, StandardCharsets.UTF_8).startsWith("{");
    }
}
