package org.edgefront.space.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HuggingFaceModelTest {
    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static SyntheticLlama untied() {
        return SyntheticLlama.create(new SyntheticLlama.Shape(32, 48, 2, 4, 2, 40, 16, false), 7);
    }

    private static void assertSameWeights(ModelWeights expected, ModelWeights actual, double relTol) throws Exception {
        assertEquals(expected.tensorNames(), actual.tensorNames());
        for (String name : expected.tensorNames()) {
            float[] e = expected.read(name);
            float[] a = actual.read(name);
            assertEquals(e.length, a.length, name);
            for (int i = 0; i < e.length; i++) {
                if (relTol == 0) {
                    assertEquals(e[i], a[i], name + "[" + i + "]");
                } else {
                    assertEquals(e[i], a[i], relTol * Math.abs(e[i]) + 1e-7, name + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void f32SingleFileRoundTripsExactlyAndKeepsTheSyntheticLabel() throws Exception {
        SyntheticLlama m = SyntheticLlama.tiny(3);
        String out = dir.resolve("tiny").toString();
        SyntheticLlama.writeHuggingFace(m, out, "F32", 1);
        assertTrue(Files.exists(dir.resolve("tiny/model.safetensors")));
        assertFalse(Files.exists(dir.resolve("tiny/model.safetensors.index.json")));
        try (Stream<Path> files = Files.list(dir.resolve("tiny"))) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".crc")));
        }
        try (ModelWeights w = HuggingFaceModel.open(out)) {
            ModelArchitecture a = w.architecture();
            assertEquals(m.architecture(), a);
            assertTrue(a.synthetic());
            assertEquals("synthetic-llama-64x4", a.name());
            assertSameWeights(m, w, 0);
        }
    }

    @Test
    void twoF32ShardsRoundTripExactlyThroughTheIndex() throws Exception {
        SyntheticLlama m = untied();
        String out = dir.resolve("sharded").toString();
        SyntheticLlama.writeHuggingFace(m, out, "f32", 2);
        assertTrue(Files.exists(dir.resolve("sharded/model-00001-of-00002.safetensors")));
        assertTrue(Files.exists(dir.resolve("sharded/model-00002-of-00002.safetensors")));
        assertTrue(Files.exists(dir.resolve("sharded/model.safetensors.index.json")));
        try (ModelWeights w = ModelLoader.open(out)) {
            assertFalse(w.architecture().tiedEmbeddings());
            assertSameWeights(m, w, 0);
        }
    }

    @Test
    void f16AndBf16RoundTripWithinTheirRounding() throws Exception {
        SyntheticLlama m = untied();
        SyntheticLlama.writeHuggingFace(m, dir.resolve("f16").toString(), "F16", 1);
        SyntheticLlama.writeHuggingFace(m, dir.resolve("bf16").toString(), "BF16", 2);
        try (ModelWeights f16 = HuggingFaceModel.open(dir.resolve("f16").toString());
             ModelWeights bf16 = HuggingFaceModel.open(dir.resolve("bf16").toString())) {
            assertSameWeights(m, f16, 0x1p-11);
            assertSameWeights(m, bf16, 0x1p-8);
            // and they are not silently stored as F32
            try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("f16/model.safetensors").toString())) {
                long dataBytes = Files.size(dir.resolve("f16/model.safetensors")) - f.dataStart();
                assertEquals(2 * m.architecture().parameterCount(), dataBytes);
                assertEquals(0, f.dataStart() % 8);
            }
        }
    }

    @Test
    void syntheticQwen2RoundTripsWithItsBiases() throws Exception {
        SyntheticLlama m = SyntheticLlama.create(new SyntheticLlama.Shape(32, 48, 2, 4, 2, 40, 16, true), 5,
                org.edgefront.space.model.ArchitectureFamily.QWEN2);
        assertEquals(m.architecture().linearParameterCount() + 5 * 32 + 2 * (32 + 2 * 16), m.architecture().parameterCount());
        String out = dir.resolve("qwen2").toString();
        SyntheticLlama.writeHuggingFace(m, out, "F32", 2);
        try (ModelWeights w = ModelLoader.open(out)) {
            assertEquals(m.architecture(), w.architecture());
            assertTrue(w.tensorNames().contains("blk.1.attn_q.bias"));
            assertSameWeights(m, w, 0);
        }
    }

    @Test
    void syntheticQwen3RoundTripsWithItsQkNormsAndHeadsWiderThanTheModel() throws Exception {
        // Qwen3-0.6B-like: heads x head_dim (4 x 12 = 48) differs from hidden_size (32)
        SyntheticLlama m = SyntheticLlama.create(new SyntheticLlama.Shape(32, 48, 2, 4, 2, 40, 16, true), 5,
                org.edgefront.space.model.ArchitectureFamily.QWEN3, 12);
        ModelArchitecture a = m.architecture();
        assertEquals(48, a.qDim());
        assertEquals(a.linearParameterCount() + 5 * 32 + 2 * 2 * 12, a.parameterCount(), "two q/k norms of head size per layer");
        String out = dir.resolve("qwen3").toString();
        SyntheticLlama.writeHuggingFace(m, out, "F32", 2);
        JsonNode config = new ObjectMapper().readTree(Path.of(out, "config.json").toFile());
        assertEquals("Qwen3ForCausalLM", config.get("architectures").get(0).asText());
        assertEquals(12, config.get("head_dim").asInt());
        try (ModelWeights w = ModelLoader.open(out)) {
            assertEquals(a, w.architecture());
            assertTrue(w.tensorNames().containsAll(java.util.List.of("blk.1.attn_q_norm.weight", "blk.1.attn_k_norm.weight")));
            assertFalse(w.tensorNames().contains("blk.1.attn_q.bias"));
            assertSameWeights(m, w, 0);
            for (String n : new String[] {"blk.1.attn_q_norm.weight", "blk.1.attn_k_norm.weight"}) assertArrayEquals(m.read(n), w.read(n), n);
        }
        // on disk the norm weights are in Hugging Face's rotate-half order, like one head of q's rows
        try (SafetensorsFile f = SafetensorsFile.open(out + "/" + firstShardHolding(out, "model.layers.0.self_attn.q_norm.weight"))) {
            float[] qn = m.read("blk.0.attn_q_norm.weight");
            assertArrayEquals(RopeLayout.interleavedToRotateHalf(qn, 12, 1), f.read("model.layers.0.self_attn.q_norm.weight"));
            assertFalse(java.util.Arrays.equals(qn, f.read("model.layers.0.self_attn.q_norm.weight")));
        }
    }

    @Test
    void syntheticGemma3RoundTripsWithItsNormsStoredAsOffsetsFromOneAndItsSlidingWindow() throws Exception {
        // Gemma-3-1B-like: heads x head_dim (4 x 12 = 48) differs from hidden_size (32); seven layers, so layer 5 is global
        SyntheticLlama m = SyntheticLlama.create(new SyntheticLlama.Shape(32, 48, 7, 4, 2, 40, 64, true), 5,
                org.edgefront.space.model.ArchitectureFamily.GEMMA3, 12);
        ModelArchitecture a = m.architecture();
        assertEquals(new org.edgefront.space.model.SlidingWindow(16, 6, 10000.0), a.slidingWindow());
        assertEquals(a.linearParameterCount() + (4 * 7 + 1) * 32 + 2 * 7 * 12, a.parameterCount(), "four norms of width and two of head size per layer");
        String out = dir.resolve("gemma3").toString();
        SyntheticLlama.writeHuggingFace(m, out, "F32", 2);
        JsonNode config = new ObjectMapper().readTree(Path.of(out, "config.json").toFile());
        assertEquals("Gemma3ForCausalLM", config.get("architectures").get(0).asText());
        assertEquals("gemma3_text", config.get("model_type").asText());
        assertEquals(12, config.get("head_dim").asInt());
        assertEquals(16, config.get("sliding_window").asInt());
        assertEquals("full_attention", config.get("layer_types").get(5).asText());
        assertEquals("sliding_attention", config.get("layer_types").get(6).asText());
        assertEquals(12.0, config.get("query_pre_attn_scalar").asDouble(), 1e-9);
        try (ModelWeights w = ModelLoader.open(out)) {
            assertEquals(a, w.architecture());
            assertEquals(m.tensorNames(), w.tensorNames());
            assertTrue(w.tensorNames().containsAll(java.util.List.of("blk.6.post_attention_norm.weight", "blk.6.post_ffw_norm.weight",
                    "blk.6.attn_q_norm.weight", "blk.6.attn_k_norm.weight")));
            // linear tensors bit for bit; norms through (w - 1) + 1 in float, so within an ulp of 1
            for (String n : m.tensorNames()) {
                if (n.endsWith("norm.weight")) assertArrayEquals(m.read(n), w.read(n), 2e-7f, n);
                else assertArrayEquals(m.read(n), w.read(n), n);
            }
        }
        // on disk every norm is w with the model scaling by 1 + w (Gemma3RMSNorm); q/k norms also in rotate-half order
        try (SafetensorsFile f = SafetensorsFile.open(out + "/" + firstShardHolding(out, "model.layers.1.pre_feedforward_layernorm.weight"))) {
            float[] ffn = m.read("blk.1.ffn_norm.weight");
            float[] stored = f.read("model.layers.1.pre_feedforward_layernorm.weight");
            for (int i = 0; i < ffn.length; i++) assertEquals(ffn[i] - 1f, stored[i], 1e-7f);
        }
        try (SafetensorsFile f = SafetensorsFile.open(out + "/" + firstShardHolding(out, "model.layers.0.self_attn.q_norm.weight"))) {
            float[] qn = RopeLayout.interleavedToRotateHalf(m.read("blk.0.attn_q_norm.weight"), 12, 1);
            float[] stored = f.read("model.layers.0.self_attn.q_norm.weight");
            for (int i = 0; i < qn.length; i++) assertEquals(qn[i] - 1f, stored[i], 1e-7f);
        }
    }

    @Test
    void syntheticGemma2RoundTripsWithItsSoftCapsAndAWindowOnEveryOtherLayer() throws Exception {
        SyntheticLlama m = SyntheticLlama.create(new SyntheticLlama.Shape(32, 48, 4, 4, 2, 40, 64, true), 5,
                org.edgefront.space.model.ArchitectureFamily.GEMMA2, 12);
        ModelArchitecture a = m.architecture();
        assertEquals(new org.edgefront.space.model.SlidingWindow(16, 2, 10000.0), a.slidingWindow());
        assertEquals(a.linearParameterCount() + (4 * 4 + 1) * 32, a.parameterCount(), "four norms of width per layer, no q/k norms");
        String out = dir.resolve("gemma2").toString();
        SyntheticLlama.writeHuggingFace(m, out, "F32", 1);
        JsonNode config = new ObjectMapper().readTree(Path.of(out, "config.json").toFile());
        assertEquals("Gemma2ForCausalLM", config.get("architectures").get(0).asText());
        assertEquals("gemma2", config.get("model_type").asText());
        assertEquals(SyntheticLlama.GEMMA2_SYNTHETIC_ATTENTION_CAP, config.get("attn_logit_softcapping").asDouble());
        assertEquals(SyntheticLlama.GEMMA2_SYNTHETIC_FINAL_CAP, config.get("final_logit_softcapping").asDouble());
        assertEquals("sliding_attention", config.get("layer_types").get(0).asText());
        assertEquals("full_attention", config.get("layer_types").get(1).asText());
        assertFalse(config.has("rope_local_base_freq"), "Gemma 2's local layers rotate at the global base");
        try (ModelWeights w = ModelLoader.open(out)) {
            assertEquals(a, w.architecture());
            assertEquals(m.tensorNames(), w.tensorNames());
            assertFalse(w.tensorNames().contains("blk.0.attn_q_norm.weight"));
            for (String n : m.tensorNames()) {
                if (n.endsWith("norm.weight")) assertArrayEquals(m.read(n), w.read(n), 2e-7f, n);
                else assertArrayEquals(m.read(n), w.read(n), n);
            }
        }
        // Gemma2Config's defaults when the keys are absent; null turns a cap off; other values are refused by field
        editJson(Path.of(out, "config.json"), n -> {
            n.remove("attn_logit_softcapping");
            n.putNull("final_logit_softcapping");
        });
        try (ModelWeights w = ModelLoader.open(out)) {
            assertEquals(new org.edgefront.space.model.LogitSoftcaps(50.0, 0), w.architecture().softcaps());
        }
        editJson(Path.of(out, "config.json"), n -> n.put("attn_logit_softcapping", -1.0));
        assertEquals("attn_logit_softcapping", assertThrows(InvalidInputException.class, () -> ModelLoader.open(out).close()).field());
        editJson(Path.of(out, "config.json"), n -> n.put("attn_logit_softcapping", 50.0).put("model_type", "gemma3_text"));
        assertEquals("model_type", assertThrows(InvalidInputException.class, () -> ModelLoader.open(out).close()).field());
        editJson(Path.of(out, "config.json"), n -> {
            n.put("model_type", "gemma2");
            n.putObject("rope_scaling").put("rope_type", "linear").put("factor", 2.0);
        });
        assertEquals("rope_scaling", assertThrows(InvalidInputException.class, () -> ModelLoader.open(out).close()).field());
    }

    @Test
    void syntheticSmolLm3RoundTripsWithItsNoPeLayersAndOtherPeriodsAreRefusedByField() throws Exception {
        SyntheticLlama m = SyntheticLlama.create(new SyntheticLlama.Shape(32, 48, 8, 4, 2, 40, 64, true), 5,
                org.edgefront.space.model.ArchitectureFamily.SMOLLM3, 8);
        String out = dir.resolve("smollm3").toString();
        SyntheticLlama.writeHuggingFace(m, out, "F32", 1);
        JsonNode config = new ObjectMapper().readTree(Path.of(out, "config.json").toFile());
        assertEquals("SmolLM3ForCausalLM", config.get("architectures").get(0).asText());
        assertEquals("[1,1,1,0,1,1,1,0]", config.get("no_rope_layers").toString());
        try (ModelWeights w = ModelLoader.open(out)) {
            assertEquals(m.architecture(), w.architecture());
            for (String n : m.tensorNames()) assertArrayEquals(m.read(n), w.read(n), n);
        }
        editJson(Path.of(out, "config.json"), n -> ((com.fasterxml.jackson.databind.node.ArrayNode) n.get("no_rope_layers")).set(2, 0));
        assertEquals("no_rope_layers[2]", assertThrows(InvalidInputException.class, () -> ModelLoader.open(out).close()).field());
        editJson(Path.of(out, "config.json"), n -> {
            ((com.fasterxml.jackson.databind.node.ArrayNode) n.get("no_rope_layers")).set(2, 1);
            n.put("no_rope_layer_interval", 3);
        });
        assertEquals("no_rope_layer_interval", assertThrows(InvalidInputException.class, () -> ModelLoader.open(out).close()).field());
        editJson(Path.of(out, "config.json"), n -> n.put("no_rope_layer_interval", 4).put("use_sliding_window", true));
        assertEquals("use_sliding_window", assertThrows(InvalidInputException.class, () -> ModelLoader.open(out).close()).field());
    }

    @Test
    void gemma3SettingsTheForwardPassDoesNotImplementAreRefusedByField() throws Exception {
        SyntheticLlama m = SyntheticLlama.create(new SyntheticLlama.Shape(32, 48, 2, 4, 2, 40, 64, true), 5,
                org.edgefront.space.model.ArchitectureFamily.GEMMA3, 12);
        String out = dir.resolve("gemma3-bad").toString();
        SyntheticLlama.writeHuggingFace(m, out, "F32", 1);
        editJson(Path.of(out, "config.json"), n -> n.put("final_logit_softcapping", 30.0));
        assertEquals("final_logit_softcapping", assertThrows(InvalidInputException.class, () -> ModelLoader.open(out).close()).field());
        editJson(Path.of(out, "config.json"), n -> n.putNull("final_logit_softcapping").put("hidden_activation", "gelu"));
        assertEquals("hidden_activation", assertThrows(InvalidInputException.class, () -> ModelLoader.open(out).close()).field());
        editJson(Path.of(out, "config.json"), n -> {
            n.put("hidden_activation", "gelu_pytorch_tanh");
            ((com.fasterxml.jackson.databind.node.ArrayNode) n.get("layer_types")).set(0, "full_attention");
        });
        assertEquals("layer_types[0]", assertThrows(InvalidInputException.class, () -> ModelLoader.open(out).close()).field());
        // transformers 5's per-layer-type rope_parameters are read as the global rule and the local base
        editJson(Path.of(out, "config.json"), n -> {
            ((com.fasterxml.jackson.databind.node.ArrayNode) n.get("layer_types")).set(0, "sliding_attention");
            n.remove("rope_theta");
            n.remove("rope_local_base_freq");
            com.fasterxml.jackson.databind.node.ObjectNode rp = n.putObject("rope_parameters");
            rp.putObject("full_attention").put("rope_type", "linear").put("factor", 8.0).put("rope_theta", 1_000_000.0);
            rp.putObject("sliding_attention").put("rope_type", "default").put("rope_theta", 5000.0);
        });
        try (ModelWeights w = ModelLoader.open(out)) {
            assertEquals(1_000_000.0, w.architecture().ropeTheta());
            assertEquals(org.edgefront.space.model.RopeScaling.linear(8.0), w.architecture().ropeScaling());
            assertEquals(5000.0, w.architecture().slidingWindow().ropeTheta());
        }
    }

    /** A Phi-3-like synthetic: untied, grouped-query (4 heads, 2 KV heads of 8 on a width of 32), three layers. */
    private static SyntheticLlama phi3(long seed) {
        return SyntheticLlama.create(new SyntheticLlama.Shape(32, 48, 3, 4, 2, 40, 64, false), seed,
                org.edgefront.space.model.ArchitectureFamily.PHI3);
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] out = new float[n];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    @Test
    void syntheticPhi3IsStoredWithStackedQkvAndGateUpSplitOnReadAndRestackedByteForByte() throws Exception {
        SyntheticLlama m = phi3(5);
        ModelArchitecture a = m.architecture();
        String out = dir.resolve("phi3").toString();
        SyntheticLlama.writeHuggingFace(m, out, "F32", 2);
        JsonNode config = JSON.readTree(Path.of(out, "config.json").toFile());
        assertEquals("Phi3ForCausalLM", config.get("architectures").get(0).asText());
        assertEquals("phi3", config.get("model_type").asText());
        assertTrue(config.get("sliding_window").isNull(), "EdgeFront attends over the whole past, as llama.cpp's phi3 does");
        JsonNode map = JSON.readTree(Path.of(out, HuggingFaceModel.INDEX).toFile()).get("weight_map");
        assertTrue(map.has("model.layers.2.self_attn.qkv_proj.weight") && map.has("model.layers.2.mlp.gate_up_proj.weight"));
        assertFalse(map.has("model.layers.2.self_attn.q_proj.weight") || map.has("model.layers.2.mlp.up_proj.weight"));
        // on disk, built here independently of the writer: q | k | v with q and k in rotate-half order, then gate | up
        for (int l = 0; l < a.layers(); l++) {
            String qkvName = "model.layers." + l + ".self_attn.qkv_proj.weight";
            try (SafetensorsFile f = SafetensorsFile.open(out + "/" + firstShardHolding(out, qkvName))) {
                assertEquals(List.of((long) (a.qDim() + 2 * a.kvDim()), (long) a.dim()), f.tensors().get(qkvName).shape());
                assertArrayEquals(concat(RopeLayout.interleavedToRotateHalf(m.read("blk." + l + ".attn_q.weight"), a.qDim(), a.heads()),
                        RopeLayout.interleavedToRotateHalf(m.read("blk." + l + ".attn_k.weight"), a.kvDim(), a.kvHeads()),
                        m.read("blk." + l + ".attn_v.weight")), f.read(qkvName), qkvName);
            }
            String gateUp = "model.layers." + l + ".mlp.gate_up_proj.weight";
            try (SafetensorsFile f = SafetensorsFile.open(out + "/" + firstShardHolding(out, gateUp))) {
                assertEquals(List.of(2L * a.hiddenDim(), (long) a.dim()), f.tensors().get(gateUp).shape());
                assertArrayEquals(concat(m.read("blk." + l + ".ffn_gate.weight"), m.read("blk." + l + ".ffn_up.weight")), f.read(gateUp), gateUp);
            }
        }
        try (ModelWeights w = ModelLoader.open(out)) {
            assertEquals(a, w.architecture());
            assertSameWeights(m, w, 0);
            // and written again from the split tensors, the files are the same bytes
            String again = dir.resolve("phi3-again").toString();
            HuggingFaceWriter.write(w, again, StorageType.F32, 2);
            for (String file : List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", HuggingFaceModel.INDEX)) {
                assertArrayEquals(Files.readAllBytes(Path.of(out, file)), Files.readAllBytes(Path.of(again, file)), file);
            }
        }
        // two-byte values: the parts' byte offsets inside the stacks scale with the dtype
        String bf16 = dir.resolve("phi3-bf16").toString();
        SyntheticLlama.writeHuggingFace(m, bf16, "BF16", 1);
        try (ModelWeights w = ModelLoader.open(bf16)) {
            assertSameWeights(m, w, 1.0 / 128);
            String again = dir.resolve("phi3-bf16-again").toString();
            HuggingFaceWriter.write(w, again, StorageType.BF16, 1);
            assertArrayEquals(Files.readAllBytes(Path.of(bf16, HuggingFaceModel.SINGLE)), Files.readAllBytes(Path.of(again, HuggingFaceModel.SINGLE)));
        }
    }

    @Test
    void aPhi3MiniConfigWithItsSlidingWindowLoadsAsFullCausalAttention() throws Exception {
        String out = dir.resolve("phi3-mini").toString();
        SyntheticLlama.writeHuggingFace(phi3(5), out, "F32", 1);
        // Phi-3-mini-4k-instruct's own keys: sliding_window 2047, rope_scaling null, the rest as in its config.json
        editJson(Path.of(out, "config.json"), n -> n.put("sliding_window", 2047).putNull("rope_scaling").put("rope_theta", 10000.0)
                .put("original_max_position_embeddings", 4096).put("resid_pdrop", 0.0).put("embd_pdrop", 0.0).put("attention_dropout", 0.0));
        try (ModelWeights w = ModelLoader.open(out)) {
            assertEquals(org.edgefront.space.model.ArchitectureFamily.PHI3, w.architecture().family());
            assertEquals(org.edgefront.space.model.SlidingWindow.NONE, w.architecture().slidingWindow());
            assertEquals(org.edgefront.space.model.RopeScaling.NONE, w.architecture().ropeScaling());
            assertFalse(w.architecture().tiedEmbeddings());
        }
    }

    @Test
    void phi3RopeRulesAndOtherSettingsTheForwardPassDoesNotImplementAreRefusedByField() throws Exception {
        String out = dir.resolve("phi3-bad").toString();
        SyntheticLlama.writeHuggingFace(phi3(5), out, "F32", 1);
        Path config = Path.of(out, "config.json");
        // LongRoPE is read (HuggingFaceRopeConfigTest); other rules are refused for Phi-3
        editJson(config, n -> n.putObject("rope_parameters").put("rope_type", "yarn").put("factor", 4.0));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelLoader.open(out).close());
        assertEquals("rope_parameters.rope_type", e.field());
        assertTrue(e.getMessage().contains("'yarn'"), e.getMessage());
        // partial rotary (Phi-4-mini) is read: HuggingFaceRopeConfigTest
        editJson(config, n -> {
            n.remove("rope_parameters");
            n.put("hidden_act", "gelu");
        });
        assertEquals("hidden_act", assertThrows(InvalidInputException.class, () -> ModelLoader.open(out).close()).field());
        editJson(config, n -> n.put("hidden_act", "silu").put("head_dim", 16));
        assertEquals("head_dim", assertThrows(InvalidInputException.class, () -> ModelLoader.open(out).close()).field());
        // a config whose shapes disagree with the stacks on disk names the stacked tensor
        editJson(config, n -> {
            n.remove("head_dim");
            n.put("num_key_value_heads", 4);
        });
        assertEquals("model.layers.0.self_attn.qkv_proj.weight", assertThrows(InvalidInputException.class, () -> ModelLoader.open(out).close()).field());
        editJson(config, n -> n.put("num_key_value_heads", 2).put("intermediate_size", 40));
        assertEquals("model.layers.0.mlp.gate_up_proj.weight", assertThrows(InvalidInputException.class, () -> ModelLoader.open(out).close()).field());
    }

    @Test
    void qwen3BiasesAndAnOddHeadDimAreRefusedByField() throws Exception {
        SyntheticLlama m = SyntheticLlama.create(new SyntheticLlama.Shape(32, 48, 1, 4, 2, 40, 16, true), 5,
                org.edgefront.space.model.ArchitectureFamily.QWEN3, 12);
        String out = dir.resolve("qwen3-bad").toString();
        SyntheticLlama.writeHuggingFace(m, out, "F32", 1);
        editJson(Path.of(out, "config.json"), n -> n.put("attention_bias", true));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelLoader.open(out).close());
        assertEquals("attention_bias", e.field());
        editJson(Path.of(out, "config.json"), n -> n.put("attention_bias", false).put("head_dim", 11));
        e = assertThrows(InvalidInputException.class, () -> ModelLoader.open(out).close());
        assertEquals("head_dim", e.field());
    }

    private static String firstShardHolding(String dirName, String tensor) throws Exception {
        JsonNode index = new ObjectMapper().readTree(Path.of(dirName, HuggingFaceModel.INDEX).toFile());
        return index.get("weight_map").get(tensor).asText();
    }

    @Test
    void qAndKRowsAreStoredInHuggingFaceOrderOnDisk() throws Exception {
        SyntheticLlama m = untied();
        String out = dir.resolve("perm").toString();
        SyntheticLlama.writeHuggingFace(m, out, "F32", 1);
        try (SafetensorsFile f = SafetensorsFile.open(out + "/model.safetensors")) {
            float[] q = m.read("blk.1.attn_q.weight");
            float[] k = m.read("blk.1.attn_k.weight");
            float[] v = m.read("blk.1.attn_v.weight");
            assertArrayEquals(RopeLayout.interleavedToRotateHalf(q, 32, 4), f.read("model.layers.1.self_attn.q_proj.weight"));
            assertArrayEquals(RopeLayout.interleavedToRotateHalf(k, 16, 2), f.read("model.layers.1.self_attn.k_proj.weight"));
            assertFalse(java.util.Arrays.equals(q, f.read("model.layers.1.self_attn.q_proj.weight")));
            assertArrayEquals(v, f.read("model.layers.1.self_attn.v_proj.weight"));
        }
    }

    /**
     * Phi-4-mini's partial rotary on a tiny Phi-3 (heads of 8, 6 rotated): config.json carries partial_rotary_factor 0.75,
     * and only the first 6 rows of each q/k head are in rotate-half order on disk, halves of 3, as transformers'
     * rotate_half on q[..., :6] expects; rows 6 and 7 stay where they are. Read back, the width and the rows are the same.
     */
    @Test
    void aPartialRotaryPhi3IsWrittenWithItsFactorAndOnlyItsRotatedRowsInRotateHalfOrder() throws Exception {
        SyntheticLlama m = phi3(9);
        ModelArchitecture a = m.architecture().withRotaryDims(6);
        ModelWeights partial = new ModelWeights() {
            @Override public ModelArchitecture architecture() { return a; }
            @Override public float[] read(String t) throws java.io.IOException { return m.read(t); }
            @Override public java.util.Set<String> tensorNames() { return m.tensorNames(); }
            @Override public String source() { return m.source(); }
            @Override public void close() { }
        };
        String out = dir.resolve("phi3-partial").toString();
        HuggingFaceWriter.write(partial, out, StorageType.F32, 1);
        assertEquals(0.75, JSON.readTree(Path.of(out, "config.json").toFile()).get("partial_rotary_factor").asDouble());
        // on disk row r of a head holds interleaved row order[r], built here by hand
        int[] order = {0, 2, 4, 1, 3, 5, 6, 7};
        float[] q = m.read("blk.1.attn_q.weight");
        int cols = a.dim();
        float[] expected = new float[(a.qDim() + 2 * a.kvDim()) * cols];
        for (int h = 0; h < a.heads() + a.kvHeads(); h++) {
            float[] src = h < a.heads() ? q : m.read("blk.1.attn_k.weight");
            int head = h < a.heads() ? h : h - a.heads();
            for (int r = 0; r < 8; r++) System.arraycopy(src, (head * 8 + order[r]) * cols, expected, (h * 8 + r) * cols, cols);
        }
        System.arraycopy(m.read("blk.1.attn_v.weight"), 0, expected, (a.qDim() + a.kvDim()) * cols, a.kvDim() * cols);
        try (SafetensorsFile f = SafetensorsFile.open(out + "/" + HuggingFaceModel.SINGLE)) {
            assertArrayEquals(expected, f.read("model.layers.1.self_attn.qkv_proj.weight"));
        }
        try (ModelWeights w = ModelLoader.open(out)) {
            assertEquals(a, w.architecture());
            assertEquals(6, w.architecture().rotaryDims());
            assertSameWeights(m, w, 0);
        }
    }

    private String writeModel(String name) throws Exception {
        String out = dir.resolve(name).toString();
        SyntheticLlama.writeHuggingFace(untied(), out, "F32", 2);
        return out;
    }

    private static void editJson(Path file, java.util.function.Consumer<ObjectNode> edit) throws Exception {
        ObjectNode n = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(n);
        JSON.writeValue(file.toFile(), n);
    }

    @Test
    void missingTensorIsRejectedNamingTheIndexAndKey() throws Exception {
        String out = writeModel("missing");
        Path index = Path.of(out, "model.safetensors.index.json");
        editJson(index, n -> ((ObjectNode) n.get("weight_map")).remove("model.layers.1.mlp.up_proj.weight"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> HuggingFaceModel.open(out));
        assertTrue(e.file().endsWith("model.safetensors.index.json"), e.file());
        assertEquals("model.layers.1.mlp.up_proj.weight", e.field());
    }

    @Test
    void missingLmHeadOfAnUntiedModelIsRejected() throws Exception {
        String out = writeModel("nohead");
        editJson(Path.of(out, "model.safetensors.index.json"), n -> ((ObjectNode) n.get("weight_map")).remove("lm_head.weight"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> HuggingFaceModel.open(out));
        assertEquals("lm_head.weight", e.field());
    }

    @Test
    void unsupportedArchitectureIsRejected() throws Exception {
        String out = writeModel("phi");
        editJson(Path.of(out, "config.json"), n -> n.putArray("architectures").add("PhiForCausalLM"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> HuggingFaceModel.open(out));
        assertTrue(e.file().endsWith("config.json"), e.file());
        assertEquals("architectures", e.field());
    }

    @Test
    void configThatDisagreesWithTensorShapesIsRejected() throws Exception {
        String out = writeModel("shape");
        editJson(Path.of(out, "config.json"), n -> n.put("intermediate_size", 50));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> HuggingFaceModel.open(out));
        assertEquals("model.layers.0.mlp.gate_proj.weight", e.field());
        assertTrue(e.file().endsWith(".safetensors"), e.file());
    }

    @Test
    void missingOrWronglyTypedConfigFieldsAreRejected() throws Exception {
        String out = writeModel("fields");
        editJson(Path.of(out, "config.json"), n -> n.remove("hidden_size"));
        assertEquals("hidden_size", assertThrows(InvalidInputException.class, () -> HuggingFaceModel.open(out)).field());
        editJson(Path.of(out, "config.json"), n -> n.put("hidden_size", "32"));
        assertEquals("hidden_size", assertThrows(InvalidInputException.class, () -> HuggingFaceModel.open(out)).field());
        editJson(Path.of(out, "config.json"), n -> n.put("hidden_size", 32).put("num_key_value_heads", 3));
        assertEquals("num_key_value_heads", assertThrows(InvalidInputException.class, () -> HuggingFaceModel.open(out)).field());
    }

    @Test
    void directoryWithoutWeightsIsRejected() throws Exception {
        Path d = dir.resolve("empty");
        Files.createDirectories(d);
        Files.copy(Path.of(writeModel("src"), "config.json"), d.resolve("config.json"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelLoader.open(d.toString()));
        assertTrue(e.getMessage().contains("no weights"), e.getMessage());
    }

    @Test
    void shardEscapingTheDirectoryIsRejected() throws Exception {
        String out = writeModel("escape");
        editJson(Path.of(out, "model.safetensors.index.json"),
                n -> ((ObjectNode) n.get("weight_map")).put("model.norm.weight", "../elsewhere.safetensors"));
        assertEquals("weight_map.model.norm.weight",
                assertThrows(InvalidInputException.class, () -> HuggingFaceModel.open(out)).field());
    }

    @Test
    void invalidConfigJsonIsRejected() throws Exception {
        String out = writeModel("badjson");
        Files.writeString(Path.of(out, "config.json"), "{\"hidden_size\": 32,");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> HuggingFaceModel.open(out));
        assertTrue(e.file().endsWith("config.json"));
        assertTrue(e.getMessage().contains("invalid JSON"), e.getMessage());
    }

    @Test
    void qwen2BiasesAreReadAndUnpermuted() throws Exception {
        // write a Llama model, relabel it Qwen2 and add bias tensors by hand
        String out = dir.resolve("qwen").toString();
        SyntheticLlama m = SyntheticLlama.create(new SyntheticLlama.Shape(8, 16, 1, 2, 1, 10, 4, true), 1);
        SyntheticLlama.writeHuggingFace(m, out, "F32", 1);
        editJson(Path.of(out, "config.json"), n -> n.putArray("architectures").add("Qwen2ForCausalLM"));
        StringBuilder h = new StringBuilder("{");
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        try (SafetensorsFile f = SafetensorsFile.open(out + "/model.safetensors")) {
            long off = 0;
            for (var t : f.tensors().values()) {
                float[] v = f.read(t.name());
                off = append(h, data, t.name(), t.shape(), v, off);
            }
            float[] qb = {0, 1, 2, 3, 4, 5, 6, 7};  // HF order; 2 heads of 4
            off = append(h, data, "model.layers.0.self_attn.q_proj.bias", List.of(8L), qb, off);
            off = append(h, data, "model.layers.0.self_attn.k_proj.bias", List.of(4L), new float[] {0, 1, 2, 3}, off);
            append(h, data, "model.layers.0.self_attn.v_proj.bias", List.of(4L), new float[] {9, 8, 7, 6}, off);
        }
        h.setLength(h.length() - 1);
        h.append('}');
        Files.write(Path.of(out, "model.safetensors"), SafetensorsFileTest.bytes(h.toString(), data.toByteArray()));
        try (ModelWeights w = ModelLoader.open(out)) {
            assertEquals(org.edgefront.space.model.ArchitectureFamily.QWEN2, w.architecture().family());
            assertArrayEquals(new float[] {0, 2, 1, 3, 4, 6, 5, 7}, w.read("blk.0.attn_q.bias"));
            assertArrayEquals(new float[] {0, 2, 1, 3}, w.read("blk.0.attn_k.bias"));
            assertArrayEquals(new float[] {9, 8, 7, 6}, w.read("blk.0.attn_v.bias"));
            assertTrue(w.tensorNames().contains("blk.0.attn_v.bias"));
            assertArrayEquals(m.read("blk.0.attn_q.weight"), w.read("blk.0.attn_q.weight"));
        }
    }

    private static long append(StringBuilder h, java.io.ByteArrayOutputStream data, String name, List<Long> shape, float[] v, long off) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        data.writeBytes(b.array());
        h.append('"').append(name).append("\":{\"dtype\":\"F32\",\"shape\":").append(shape.toString().replace(" ", ""))
                .append(",\"data_offsets\":[").append(off).append(',').append(off + 4L * v.length).append("]},");
        return off + 4L * v.length;
    }
}
