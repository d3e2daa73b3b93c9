package org.edgefront.jobs.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.evaluators.compress.TensorCompressor;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.GgufFile;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.RopeScaling;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.edgefront.space.tokenizer.GgufTokenizers;
import org.edgefront.space.tokenizer.HuggingFaceTokenizer;
import org.edgefront.space.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufExportTest {
    @TempDir
    Path tmp;

    /** Choices per role that the reader can decode back: F32, F16, Q8_0, Q4_0 and int4g32/int8g32 in Q4_0/Q8_0 blocks. */
    private static Map<String, TensorChoice> mixed(ModelArchitecture a) {
        Map<String, TensorChoice> c = new LinkedHashMap<>();
        for (TensorSpec t : a.linearTensors()) {
            String label = switch (t.role()) {
                case EMBEDDING -> "Q8_0";
                case Q, K -> "int4g32";
                case V -> "int8g32";
                case O -> "Q4_0";
                case GATE, UP -> t.layer() % 2 == 0 ? "F16" : "Q4_0";
                default -> "Q8_0"; // FFN down: 176-weight rows, stored as F16 by llama.cpp's fallback
            };
            c.put(t.name(), TensorChoice.parse(label));
        }
        return c;
    }

    @Test
    void writtenGgufReadsBackAsExactlyTheQuantizedWeightsEdgeFrontMeasured() throws Exception {
        try (ModelWeights w = SyntheticLlama.tiny(7)) {
            ModelArchitecture a = w.architecture();
            Map<String, TensorChoice> choices = mixed(a);
            Path out = tmp.resolve("tiny.gguf");
            GgufExport.Result r = GgufExport.write("test", w, choices, null, out.toString());
            long expected = 0;
            for (TensorSpec t : a.linearTensors()) expected += choices.get(t.name()).bytes(t);
            assertEquals(expected, r.weightBytes(), "bytes as the memory model counts them");
            assertEquals("f16", r.storedTypes().get("blk.0.ffn_down.weight"), "Q8_0 on 176-weight rows falls back to F16");
            assertEquals("q4_0", r.storedTypes().get("blk.0.attn_q.weight"), "int4g32 in q4_0 blocks");
            try (ModelWeights back = GgufFile.open(out.toString())) {
                assertEquals(a.linearTensors(), back.architecture().linearTensors());
                for (TensorSpec t : a.linearTensors()) {
                    float[] want = TensorCompressor.quantizeMatrix(choices.get(t.name()).format(), w.read(t.name()), t.rows(), t.cols());
                    float[] got = back.read(t.name());
                    assertEquals(want.length, got.length, t.name());
                    // == so that a stored zero code reads as 0.0 where the dequantizer gave -0.0
                    for (int i = 0; i < want.length; i++) assertTrue(want[i] == got[i], t.name() + " " + choices.get(t.name()) + " at " + i);
                }
                assertArrayEquals(w.read(ModelArchitecture.outputNormName()), back.read(ModelArchitecture.outputNormName()));
            }
        }
    }

    @Test
    void aQwen3RoundTripsThroughGgufWithItsQkNormsInLlamaCppsOrderAndItsHeadSize() throws Exception {
        // Qwen3-0.6B-like: heads x head size (4 x 12 = 48) differs from the width (32); tied, so no output.weight
        try (ModelWeights w = SyntheticLlama.create(new SyntheticLlama.Shape(32, 48, 2, 4, 2, 40, 16, true), 9, ArchitectureFamily.QWEN3, 12)) {
            ModelArchitecture a = w.architecture();
            Path out = tmp.resolve("qwen3.gguf");
            GgufExport.write("test", w, uniform(a, "F32"), null, out.toString());
            GgufFile.HeaderSummary h = GgufFile.header(out.toString(), new Configuration());
            assertEquals("qwen3", h.strings().get("general.architecture"));
            assertEquals(12.0, h.numbers().get("qwen3.attention.key_length"));
            assertEquals(12.0, h.numbers().get("qwen3.attention.value_length"));
            assertEquals(12.0, h.numbers().get("qwen3.rope.dimension_count"));
            assertFalse(h.tensorDims().containsKey("output.weight"));
            assertEquals(List.of(12L), h.tensorDims().get("blk.1.attn_q_norm.weight"));
            assertEquals(List.of(12L), h.tensorDims().get("blk.1.attn_k_norm.weight"));
            assertEquals(48L, h.tensorBytes().get("blk.1.attn_k_norm.weight"), "F32");
            assertEquals(List.of(32L, 48L), h.tensorDims().get("blk.1.attn_q.weight"));
            assertEquals(List.of(48L, 32L), h.tensorDims().get("blk.1.attn_output.weight"));
            try (ModelWeights back = GgufFile.open(out.toString())) {
                assertEquals(ArchitectureFamily.QWEN3, back.architecture().family());
                assertEquals(a.linearTensors(), back.architecture().linearTensors());
                assertEquals(12, back.architecture().headDim());
                assertEquals(w.tensorNames(), back.tensorNames());
                for (String n : w.tensorNames()) assertArrayEquals(w.read(n), back.read(n), n);
            }
            // as stored, the q norm is in Hugging Face's rotate-half order (llama.cpp's qwen3 graph uses NeoX RoPE)
            byte[] file = Files.readAllBytes(out);
            float[] qNorm = w.read("blk.0.attn_q_norm.weight");
            assertTrue(contains(file, f32(org.edgefront.space.io.RopeLayout.interleavedToRotateHalf(qNorm, 12, 1))), "rotate-half order on disk");
            assertFalse(contains(file, f32(qNorm)), "not EdgeFront's interleaved order");
        }
    }

    @Test
    void aGemma3RoundTripsThroughGgufWithItsNormsSlidingWindowAndLlamaCppsKeys() throws Exception {
        // Gemma-3-1B-like: heads x head size (4 x 12 = 48) differs from the width (32); tied; seven layers, layer 5 global
        try (ModelWeights w = SyntheticLlama.create(new SyntheticLlama.Shape(32, 48, 7, 4, 2, 40, 64, true), 9, ArchitectureFamily.GEMMA3, 12)) {
            ModelArchitecture a = w.architecture();
            Path out = tmp.resolve("gemma3.gguf");
            GgufExport.write("test", w, uniform(a, "F32"), null, out.toString());
            GgufFile.HeaderSummary h = GgufFile.header(out.toString(), new Configuration());
            assertEquals("gemma3", h.strings().get("general.architecture"));
            assertEquals(12.0, h.numbers().get("gemma3.attention.key_length"));
            assertEquals(16.0, h.numbers().get("gemma3.attention.sliding_window"));
            assertEquals(6.0, h.numbers().get("gemma3.attention.sliding_window_pattern"));
            assertEquals(10000.0, h.numbers().get("gemma3.rope.freq_base_swa"));
            assertEquals(1_000_000.0, h.numbers().get("gemma3.rope.freq_base"));
            assertFalse(h.tensorDims().containsKey("output.weight"));
            assertEquals(List.of(32L), h.tensorDims().get("blk.6.post_attention_norm.weight"));
            assertEquals(List.of(32L), h.tensorDims().get("blk.6.post_ffw_norm.weight"));
            assertEquals(List.of(12L), h.tensorDims().get("blk.6.attn_q_norm.weight"));
            try (ModelWeights back = GgufFile.open(out.toString())) {
                assertEquals(ArchitectureFamily.GEMMA3, back.architecture().family());
                assertEquals(a.linearTensors(), back.architecture().linearTensors());
                assertEquals(a.slidingWindow(), back.architecture().slidingWindow());
                assertEquals(1 / Math.sqrt(12), back.architecture().attentionScale(), 1e-12);
                assertEquals(w.tensorNames(), back.tensorNames());
                for (String n : w.tensorNames()) assertArrayEquals(w.read(n), back.read(n), n);
            }
            // as stored, the norms are the factors themselves (llama.cpp's converter adds 1 to Hugging Face's w)
            byte[] file = Files.readAllBytes(out);
            assertTrue(contains(file, f32(w.read("blk.3.post_ffw_norm.weight"))), "1 + w on disk");
            assertTrue(contains(file, f32(org.edgefront.space.io.RopeLayout.interleavedToRotateHalf(w.read("blk.0.attn_k_norm.weight"), 12, 1))),
                    "q/k norms in rotate-half order (llama.cpp's gemma3 graph uses NeoX RoPE)");
        }
    }

    @Test
    void aGemma2RoundTripsThroughGgufWithItsSoftCapsAndRefusesWhatItsGgufCannotSay() throws Exception {
        try (ModelWeights w = SyntheticLlama.create(new SyntheticLlama.Shape(32, 48, 4, 4, 2, 40, 64, true), 9, ArchitectureFamily.GEMMA2, 12)) {
            ModelArchitecture a = w.architecture();
            Path out = tmp.resolve("gemma2.gguf");
            GgufExport.write("test", w, uniform(a, "F32"), null, out.toString());
            GgufFile.HeaderSummary h = GgufFile.header(out.toString(), new Configuration());
            assertEquals("gemma2", h.strings().get("general.architecture"));
            assertEquals(SyntheticLlama.GEMMA2_SYNTHETIC_ATTENTION_CAP, h.numbers().get("gemma2.attn_logit_softcapping"));
            assertEquals(SyntheticLlama.GEMMA2_SYNTHETIC_FINAL_CAP, h.numbers().get("gemma2.final_logit_softcapping"));
            assertEquals(16.0, h.numbers().get("gemma2.attention.sliding_window"));
            assertFalse(h.tensorDims().containsKey("blk.0.attn_q_norm.weight"));
            try (ModelWeights back = GgufFile.open(out.toString())) {
                assertEquals(ArchitectureFamily.GEMMA2, back.architecture().family());
                assertEquals(a.linearTensors(), back.architecture().linearTensors());
                assertEquals(a.slidingWindow(), back.architecture().slidingWindow());
                assertEquals(a.softcaps(), back.architecture().softcaps());
                assertEquals(1 / Math.sqrt(12), back.architecture().attentionScale(), 1e-12);
                assertEquals(w.tensorNames(), back.tensorNames());
                for (String n : w.tensorNames()) assertArrayEquals(w.read(n), back.read(n), n);
            }
            // llama.cpp's gemma2 graph always caps, and derives its attention scale: other models are refused by field
            ModelArchitecture uncapped = a.withSoftcaps(new org.edgefront.space.model.LogitSoftcaps(0, 30));
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> GgufExport.write("test", renamed(w, uncapped), uniform(a, "F32"), null, tmp.resolve("x.gguf").toString()));
            assertEquals("attn_logit_softcapping", e.field());
            e = assertThrows(InvalidInputException.class, () -> GgufExport.write("test", renamed(w, a.withAttentionScale(0.1)), uniform(a, "F32"),
                    null, tmp.resolve("y.gguf").toString()));
            assertEquals("query_pre_attn_scalar", e.field());
            assertFalse(Files.exists(tmp.resolve("x.gguf")) || Files.exists(tmp.resolve("y.gguf")), "no partial output");
        }
    }

    @Test
    void llama3RopeScalingIsWrittenAsPerFrequencyDivisorsAndYarnIsRefusedRatherThanDropped() throws Exception {
        try (ModelWeights w = SyntheticLlama.create(new SyntheticLlama.Shape(32, 48, 2, 4, 2, 40, 64, true), 9, ArchitectureFamily.LLAMA, 8)) {
            ModelArchitecture a = w.architecture();
            Path out = tmp.resolve("llama3.gguf");
            GgufExport.write("test", renamed(w, a.withRopeScaling(RopeScaling.llama3(8, 1, 4, 16))), uniform(a, "F32"), null, out.toString());
            try (ModelWeights back = GgufFile.open(out.toString())) {
                RopeScaling r = back.architecture().ropeScaling();
                assertTrue(r.perFrequencyDivisors(), r.toString());
                List<Double> expected = RopeScaling.llama3(8, 1, 4, 16).frequencyDivisors(a.ropeTheta(), a.rotaryDims());
                for (int i = 0; i < expected.size(); i++) assertEquals(expected.get(i), r.longFactors().get(i), 1e-6, "pair " + i);
                for (String n : w.tensorNames()) assertArrayEquals(w.read(n), back.read(n), n);
            }
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> GgufExport.write("test",
                    renamed(w, a.withRopeScaling(RopeScaling.yarn(4, 16, 32, 1, null))), uniform(a, "F32"), null, tmp.resolve("yarn.gguf").toString()));
            assertEquals("rope_scaling", e.field());
            assertFalse(Files.exists(tmp.resolve("yarn.gguf")));
        }
    }

    /** {@code w}'s tensors under another architecture of the same shapes. */
    private static ModelWeights renamed(ModelWeights w, ModelArchitecture a) {
        return new ModelWeights() {
            @Override public ModelArchitecture architecture() { return a; }
            @Override public float[] read(String tensor) throws java.io.IOException { return w.read(tensor); }
            @Override public String source() { return w.source(); }
            @Override public void close() { }
        };
    }

    /** A Phi-3-like synthetic whose rows are whole Q4_0/Q8_0 blocks: 64 wide, FFN 96, 4 heads and 2 KV heads of 16, untied. */
    private static ModelWeights phi3(long seed) {
        return SyntheticLlama.create(new SyntheticLlama.Shape(64, 96, 3, 4, 2, 40, 64, false), seed, ArchitectureFamily.PHI3);
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
    void aPhi3RoundTripsThroughGgufWithQkvAndGateUpStackedAsLlamaCppLoadsThem() throws Exception {
        try (ModelWeights w = phi3(9)) {
            ModelArchitecture a = w.architecture();
            Path out = tmp.resolve("phi3.gguf");
            GgufExport.write("test", w, uniform(a, "F32"), null, out.toString());
            GgufFile.HeaderSummary h = GgufFile.header(out.toString(), new Configuration());
            assertEquals("phi3", h.strings().get("general.architecture"));
            assertEquals(64.0, h.numbers().get("phi3.context_length"));
            assertEquals(96.0, h.numbers().get("phi3.feed_forward_length"));
            assertEquals(16.0, h.numbers().get("phi3.rope.dimension_count"));
            assertEquals(2.0, h.numbers().get("phi3.attention.head_count_kv"));
            assertTrue(h.numbers().containsKey("phi3.attention.layer_norm_rms_epsilon"), "what llama_model_phi3::load_arch_hparams requires");
            // llama.cpp's phi3 tensors: attn_qkv of (q + 2 kv) rows, ffn_up of 2 x ffn rows, no attn_q/k/v or ffn_gate
            assertEquals(List.of(64L, 128L), h.tensorDims().get("blk.2.attn_qkv.weight"));
            assertEquals(List.of(64L, 192L), h.tensorDims().get("blk.2.ffn_up.weight"));
            assertEquals(List.of(96L, 64L), h.tensorDims().get("blk.2.ffn_down.weight"));
            assertEquals(List.of(64L, 40L), h.tensorDims().get("output.weight"));
            for (String gone : List.of("blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight", "blk.0.ffn_gate.weight")) {
                assertFalse(h.tensorDims().containsKey(gone), gone);
            }
            try (ModelWeights back = GgufFile.open(out.toString())) {
                assertEquals(ArchitectureFamily.PHI3, back.architecture().family());
                assertEquals(a.linearTensors(), back.architecture().linearTensors());
                assertEquals(w.tensorNames(), back.tensorNames());
                for (String n : w.tensorNames()) assertArrayEquals(w.read(n), back.read(n), n);
            }
            // on disk, built here: q | k | v with q and k in rotate-half order (llama.cpp's phi3 graph uses NeoX RoPE), gate | up
            byte[] file = Files.readAllBytes(out);
            assertTrue(contains(file, f32(concat(org.edgefront.space.io.RopeLayout.interleavedToRotateHalf(w.read("blk.1.attn_q.weight"), 64, 4),
                    org.edgefront.space.io.RopeLayout.interleavedToRotateHalf(w.read("blk.1.attn_k.weight"), 32, 2), w.read("blk.1.attn_v.weight")))),
                    "attn_qkv = q | k | v");
            assertTrue(contains(file, f32(concat(w.read("blk.1.ffn_gate.weight"), w.read("blk.1.ffn_up.weight")))), "ffn_up = gate | up");
        }
    }

    @Test
    void aPhi3StackReadsBackAsEachPartsOwnQuantizationAndQkvOfDifferentTypesIsWrittenApart() throws Exception {
        try (ModelWeights w = phi3(11)) {
            ModelArchitecture a = w.architecture();
            Map<String, TensorChoice> c = uniform(a, "Q8_0");
            // layer 0 stacks Q8_0; layer 1 stacks q4_0 blocks, q's holding int4g32 codes; layer 2's q, k, v differ
            c.put("blk.1.attn_q.weight", TensorChoice.parse("int4g32"));
            for (String n : List.of("blk.1.attn_k.weight", "blk.1.attn_v.weight", "blk.1.ffn_gate.weight", "blk.1.ffn_up.weight")) c.put(n, TensorChoice.parse("Q4_0"));
            c.put("blk.2.attn_k.weight", TensorChoice.parse("F16"));
            c.put("blk.2.attn_v.weight", TensorChoice.parse("Q4_0"));
            c.put("blk.2.ffn_gate.weight", TensorChoice.parse("int8g32"));
            c.put("output.weight", TensorChoice.parse("F16"));
            Path out = tmp.resolve("phi3-mixed.gguf");
            GgufExport.Result r = GgufExport.write("test", w, c, null, out.toString());
            long expected = 0;
            for (TensorSpec t : a.linearTensors()) expected += c.get(t.name()).bytes(t);
            assertEquals(expected, r.weightBytes(), "bytes as the memory model counts them, stacked or not");
            assertEquals("q4_0", r.storedTypes().get("blk.1.attn_q.weight"));
            GgufFile.HeaderSummary h = GgufFile.header(out.toString(), new Configuration());
            assertTrue(h.tensorDims().containsKey("blk.1.attn_qkv.weight"));
            assertFalse(h.tensorDims().containsKey("blk.2.attn_qkv.weight"), "q, k, v of three types are written apart");
            assertEquals(List.of(64L, 32L), h.tensorDims().get("blk.2.attn_k.weight"));
            assertEquals(List.of(64L, 192L), h.tensorDims().get("blk.2.ffn_up.weight"), "int8g32 and Q8_0 share q8_0 blocks");
            try (ModelWeights back = GgufFile.open(out.toString())) {
                for (TensorSpec t : a.linearTensors()) {
                    float[] want = TensorCompressor.quantizeMatrix(c.get(t.name()).format(), w.read(t.name()), t.rows(), t.cols());
                    float[] got = back.read(t.name());
                    assertEquals(want.length, got.length, t.name());
                    for (int i = 0; i < want.length; i++) assertTrue(want[i] == got[i], t.name() + " " + c.get(t.name()) + " at " + i);
                }
            }
        }
    }

    @Test
    void aPhi3WhoseGateAndUpDifferInTypeOrWhoseHeadsDoNotSpanTheWidthIsRefused() throws Exception {
        try (ModelWeights w = phi3(9)) {
            Map<String, TensorChoice> c = uniform(w.architecture(), "Q8_0");
            c.put("blk.1.ffn_up.weight", TensorChoice.parse("Q4_0"));
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> GgufExport.write("choices.json", w, c, null, tmp.resolve("bad.gguf").toString()));
            assertEquals("choices.blk.1.ffn_up.weight", e.field());
            assertEquals("choices.json", e.file());
            assertFalse(Files.exists(tmp.resolve("bad.gguf")));
        }
        // heads of 12 on a width of 32: llama.cpp's phi3 loader would not load it
        ModelArchitecture wide = ModelArchitecture.of("phi3-wide", ArchitectureFamily.PHI3, 32, 48, 1, 4, 2, 12, 40, 64, false, 1e-5, 10000.0, true);
        ModelWeights m = new ModelWeights() {
            @Override public ModelArchitecture architecture() { return wide; }
            @Override public float[] read(String name) { throw new AssertionError("refused before reading " + name); }
            @Override public String source() { return "synthetic:phi3-wide"; }
            @Override public void close() { }
        };
        assertEquals("head_dim", assertThrows(InvalidInputException.class,
                () -> GgufExport.write("test", m, uniform(wide, "F32"), null, tmp.resolve("wide.gguf").toString())).field());
    }

    @Test
    void aLongRopePhi3IsWrittenWithLlamaCppsFactorTensorsAndKeysAndReadsBackTheSame() throws Exception {
        // heads of 16: eight frequency pairs; values float holds exactly, so the round trip is exact
        List<Double> lng = List.of(1.0, 1.5, 2.0, 2.5, 3.0, 3.375, 3.5, 4.0);
        List<Double> shrt = List.of(1.0, 1.0, 1.125, 1.125, 1.25, 1.25, 1.5, 1.5);
        RopeScaling rope = RopeScaling.longRope(lng, shrt, 4, 16, 1.25);
        try (ModelWeights w = phi3(9)) {
            ModelWeights lr = withRope(w, rope);
            Path out = tmp.resolve("phi3-longrope.gguf");
            GgufExport.write("test", lr, uniform(lr.architecture(), "F32"), null, out.toString());
            GgufFile.HeaderSummary h = GgufFile.header(out.toString(), new Configuration());
            assertEquals(List.of(8L), h.tensorDims().get("rope_factors_long.weight"));
            assertEquals(List.of(8L), h.tensorDims().get("rope_factors_short.weight"));
            assertEquals(16.0, h.numbers().get("phi3.rope.scaling.original_context_length"));
            assertEquals(1.25, h.numbers().get("phi3.rope.scaling.attn_factor"));
            assertFalse(h.strings().containsKey("phi3.rope.scaling.type"), "no type: llama.cpp would scale or YaRN-ramp the frequencies");
            try (ModelWeights back = GgufFile.open(out.toString())) {
                assertEquals(rope, back.architecture().ropeScaling());
                assertEquals(w.tensorNames(), back.tensorNames());
            }
            // a file with one set only, or a factor that is not positive, is refused naming the tensor
            byte[] file = Files.readAllBytes(out);
            byte[] oneSet = replaceFirst(file, "rope_factors_short.weight".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    "rope_factors_sharp.weight".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Path bad = tmp.resolve("one-set.gguf");
            Files.write(bad, oneSet);
            assertEquals("rope_factors_short.weight", assertThrows(InvalidInputException.class, () -> GgufFile.open(bad.toString()).close()).field());
            byte[] negative = replaceFirst(file, f32(new float[] {3.375f}), f32(new float[] {-3.375f}));
            Path neg = tmp.resolve("negative.gguf");
            Files.write(neg, negative);
            assertEquals("rope_factors_long.weight[5]", assertThrows(InvalidInputException.class, () -> GgufFile.open(neg.toString()).close()).field());
        }
    }

    /**
     * Phi-4-mini's partial rotary on the tiny Phi-3 (heads of 16, 12 rotated) with LongRoPE: {@code phi3.rope.dimension_count}
     * 12, factor tensors of 6 (llama.cpp's loader: n_rot/2), and q/k rows in rotate-half order over the first 12 rows of
     * each head only (halves of 6), rows 12..15 where they are. Read back: the same width, rule and weights; a count that is
     * odd or wider than the head, or a partial count on another architecture, is refused naming the key.
     */
    @Test
    void aPartialRotaryPhi3IsWrittenWithItsRopeDimensionCountAndRotatedRowsOnlyInRotateHalfOrder() throws Exception {
        List<Double> lng = List.of(1.0, 1.5, 2.0, 2.5, 3.0, 4.0);
        List<Double> shrt = List.of(1.0, 1.0, 1.125, 1.125, 1.25, 1.5);
        RopeScaling rope = RopeScaling.longRope(lng, shrt, 4, 16, 1.25);
        try (ModelWeights w = phi3(9)) {
            ModelArchitecture a = w.architecture().withRotaryDims(12).withRopeScaling(rope);
            ModelWeights partial = new ModelWeights() {
                @Override public ModelArchitecture architecture() { return a; }
                @Override public float[] read(String name) throws java.io.IOException { return w.read(name); }
                @Override public String source() { return w.source(); }
                @Override public void close() { }
            };
            Path out = tmp.resolve("phi3-partial.gguf");
            GgufExport.write("test", partial, uniform(a, "F32"), null, out.toString());
            GgufFile.HeaderSummary h = GgufFile.header(out.toString(), new Configuration());
            assertEquals(12.0, h.numbers().get("phi3.rope.dimension_count"));
            assertEquals(16.0, h.numbers().get("phi3.attention.key_length"));
            assertEquals(List.of(6L), h.tensorDims().get("rope_factors_long.weight"));
            assertEquals(List.of(6L), h.tensorDims().get("rope_factors_short.weight"));
            try (ModelWeights back = GgufFile.open(out.toString())) {
                assertEquals(12, back.architecture().rotaryDims());
                assertEquals(rope, back.architecture().ropeScaling());
                assertEquals(a.linearTensors(), back.architecture().linearTensors());
                for (String n : w.tensorNames()) assertArrayEquals(w.read(n), back.read(n), n);
            }
            // on disk, built here: stored row r of a head is interleaved row order[r]
            int[] order = {0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11, 12, 13, 14, 15};
            float[] q = w.read("blk.1.attn_q.weight");
            float[] k = w.read("blk.1.attn_k.weight");
            float[] qkv = new float[(64 + 32 + 32) * 64];
            for (int h2 = 0; h2 < 6; h2++) {
                float[] src = h2 < 4 ? q : k;
                int head = h2 < 4 ? h2 : h2 - 4;
                for (int r = 0; r < 16; r++) System.arraycopy(src, (head * 16 + order[r]) * 64, qkv, (h2 * 16 + r) * 64, 64);
            }
            System.arraycopy(w.read("blk.1.attn_v.weight"), 0, qkv, 96 * 64, 32 * 64);
            byte[] file = Files.readAllBytes(out);
            assertTrue(contains(file, f32(qkv)), "attn_qkv with q and k in rotate-half order over 12 of 16 rows per head");
            byte[] key = "phi3.rope.dimension_count".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int bad : new int[] {13, 18}) {
                Path p = tmp.resolve("rot-" + bad + ".gguf");
                Files.write(p, replaceFirst(file, concatBytes(key, u32(4), u32(12)), concatBytes(key, u32(4), u32(bad))));
                InvalidInputException e = assertThrows(InvalidInputException.class, () -> GgufFile.open(p.toString()).close());
                assertEquals("phi3.rope.dimension_count", e.field(), "count " + bad);
            }
        }
        // llama's loader refuses n_rot != head size, and EdgeFront reads partial rotary for phi3 only
        ModelWeights llama = SyntheticLlama.create(new SyntheticLlama.Shape(64, 96, 1, 4, 2, 40, 64, false), 3);
        ModelArchitecture narrow = llama.architecture().withRotaryDims(12);
        ModelWeights partialLlama = new ModelWeights() {
            @Override public ModelArchitecture architecture() { return narrow; }
            @Override public float[] read(String name) throws java.io.IOException { return llama.read(name); }
            @Override public String source() { return "synthetic:partial-llama"; }
            @Override public void close() { }
        };
        assertEquals("rope.dimension_count", assertThrows(InvalidInputException.class,
                () -> GgufExport.write("test", partialLlama, uniform(narrow, "F32"), null, tmp.resolve("llama.gguf").toString())).field());
        Path full = tmp.resolve("llama-full.gguf");
        GgufExport.write("test", llama, uniform(llama.architecture(), "F32"), null, full.toString());
        byte[] lk = "llama.rope.dimension_count".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Path cut = tmp.resolve("llama-12.gguf");
        Files.write(cut, replaceFirst(Files.readAllBytes(full), concatBytes(lk, u32(4), u32(16)), concatBytes(lk, u32(4), u32(12))));
        assertEquals("llama.rope.dimension_count", assertThrows(InvalidInputException.class, () -> GgufFile.open(cut.toString()).close()).field());
    }

    private static byte[] u32(int v) {
        return java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static byte[] concatBytes(byte[]... parts) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) b.writeBytes(p);
        return b.toByteArray();
    }

    private static ModelWeights withRope(ModelWeights w, RopeScaling rope) {
        ModelArchitecture a = w.architecture().withRopeScaling(rope);
        return new ModelWeights() {
            @Override public ModelArchitecture architecture() { return a; }
            @Override public float[] read(String name) throws java.io.IOException { return w.read(name); }
            @Override public String source() { return w.source(); }
            @Override public void close() { }
        };
    }

    private static byte[] replaceFirst(byte[] hay, byte[] from, byte[] to) {
        outer:
        for (int i = 0; i + from.length <= hay.length; i++) {
            for (int j = 0; j < from.length; j++) if (hay[i + j] != from[j]) continue outer;
            byte[] out = hay.clone();
            System.arraycopy(to, 0, out, i, to.length);
            return out;
        }
        throw new AssertionError("not found");
    }

    @Test
    void aGemma3WithAnAttentionScaleLlamaCppWouldNotDeriveIsRefused() throws Exception {
        try (ModelWeights w = SyntheticLlama.create(new SyntheticLlama.Shape(32, 48, 2, 4, 2, 40, 64, true), 9, ArchitectureFamily.GEMMA3, 12)) {
            ModelWeights scaled = new ModelWeights() {
                @Override public ModelArchitecture architecture() { return w.architecture().withAttentionScale(0.1); }
                @Override public float[] read(String name) throws java.io.IOException { return w.read(name); }
                @Override public String source() { return w.source(); }
                @Override public void close() { }
            };
            var e = assertThrows(org.edgefront.space.input.InvalidInputException.class,
                    () -> GgufExport.write("test", scaled, uniform(scaled.architecture(), "F32"), null, tmp.resolve("bad.gguf").toString()));
            assertEquals("query_pre_attn_scalar", e.field());
        }
    }

    private static byte[] f32(float[] v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    /** Whether {@code needle} occurs in {@code hay} (Latin-1 maps each byte to one char, so this is byte-exact). */
    private static boolean contains(byte[] hay, byte[] needle) {
        return new String(hay, java.nio.charset.StandardCharsets.ISO_8859_1).contains(new String(needle, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Test
    void aChoiceNoGgufTypeHoldsExactlyIsRefusedNamingTheTensorAndNothingIsWritten() throws Exception {
        try (ModelWeights w = SyntheticLlama.tiny(7)) {
            Map<String, TensorChoice> choices = mixed(w.architecture());
            String down = TensorSpec.canonicalName(TensorRole.DOWN, 1);
            choices.put(down, TensorChoice.parse("int4g32"));
            Path out = tmp.resolve("bad.gguf");
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> GgufExport.write("front.json", w, choices, null, out.toString()));
            assertEquals("choices." + down, e.field());
            assertTrue(e.getMessage().contains("176"), e.getMessage());
            choices.put(down, TensorChoice.parse("Q4_0+2:4"));
            assertThrows(InvalidInputException.class, () -> GgufExport.write("front.json", w, choices, null, out.toString()));
            assertFalse(Files.exists(out));
        }
    }

    private static final String TEXT = "Once upon a time there was a little girl named Lily. She said: the day was 42 playing!";

    private static Map<String, TensorChoice> uniform(ModelArchitecture a, String label) {
        Map<String, TensorChoice> c = new LinkedHashMap<>();
        for (TensorSpec t : a.linearTensors()) c.put(t.name(), TensorChoice.parse(label));
        return c;
    }

    @Test
    void aSmolLmTokenizerJsonWithSingleDigitsBecomesASmollmGgufVocabularyThatTokenizesTheSame() throws Exception {
        Path dir = TokenizerFixtures.huggingFaceDir(tmp.resolve("smollm"), ArchitectureFamily.LLAMA, "smollm");
        Path out = tmp.resolve("smollm.gguf");
        try (ModelWeights w = new ModelSource(dir.toString()).open()) {
            GgufExport.write("test", w, uniform(w.architecture(), "Q8_0"), null, out.toString());
        }
        GgufFile.Vocabulary v = GgufFile.vocabulary(out.toString(), new Configuration());
        assertEquals("gpt2", v.model());
        assertEquals("smollm", v.pre());
        Tokenizer theirs = HuggingFaceTokenizer.load(dir.resolve("tokenizer.json").toString());
        Tokenizer ours = GgufTokenizers.load(out.toString(), new Configuration());
        String digits = TEXT + " In 2024 it cost 1234567 coins.";
        // what llama.cpp does with a smollm vocabulary is PreTokenizerOracleTest's check; here, that the name keeps the text's ids
        assertArrayEquals(theirs.encode(digits, false, false), ours.encode(digits, false, false));
    }

    @Test
    void aQwen2DirectoryWithAByteLevelTokenizerJsonBecomesAQwen2GgufWhoseGpt2VocabularyTokenizesTheSame() throws Exception {
        Path dir = TokenizerFixtures.huggingFaceDir(tmp.resolve("qwen2"), ArchitectureFamily.QWEN2, "qwen2");
        Path out = tmp.resolve("qwen2.gguf");
        try (ModelWeights w = new ModelSource(dir.toString()).open()) {
            ModelArchitecture a = w.architecture();
            Map<String, TensorChoice> choices = uniform(a, "Q8_0");
            GgufExport.write("test", w, choices, null, out.toString());
            GgufFile.Vocabulary v = GgufFile.vocabulary(out.toString(), new Configuration());
            assertEquals("gpt2", v.model());
            assertEquals("qwen2", v.pre());
            assertEquals(512, v.tokens().size(), "padded to the embedding's rows");
            int size = TokenizerFixtures.size(dir.resolve("tokenizer.json"));
            assertEquals("[PAD" + size + "]", v.tokens().get(size));
            assertEquals(5, v.tokenTypes()[size], "padding is unused");
            assertEquals(3, v.tokenTypes()[v.tokens().indexOf("<|endoftext|>")], "a special added token is control");
            assertEquals(1, v.tokenTypes()[300], "a merged token is normal");
            assertFalse(v.merges().isEmpty());
            Tokenizer theirs = HuggingFaceTokenizer.load(dir.resolve("tokenizer.json").toString());
            Tokenizer ours = GgufTokenizers.load(out.toString(), new Configuration());
            assertArrayEquals(theirs.encode(TEXT, false, false), ours.encode(TEXT, false, false));
            try (ModelWeights back = GgufFile.open(out.toString())) {
                assertEquals(ArchitectureFamily.QWEN2, back.architecture().family());
                for (TensorSpec t : a.linearTensors()) {
                    float[] want = TensorCompressor.quantizeMatrix(choices.get(t.name()).format(), w.read(t.name()), t.rows(), t.cols());
                    float[] got = back.read(t.name());
                    // == so that a stored zero code reads as 0.0 where the dequantizer gave -0.0; q/k rows come back in
                    // EdgeFront's order after the rotate-half round trip
                    for (int i = 0; i < want.length; i++) assertTrue(want[i] == got[i], t.name() + " at " + i);
                }
                String bias = ModelArchitecture.attentionBiasName(TensorRole.K, 1);
                assertArrayEquals(w.read(bias), back.read(bias));
            }
        }
    }

    @Test
    void aSentencePieceStyleTokenizerJsonIsWrittenAsALlamaVocabularyWhoseScoresFollowTheMergeOrder() throws Exception {
        Path dir = TokenizerFixtures.huggingFaceDir(tmp.resolve("spm"), ArchitectureFamily.LLAMA, "spm");
        Path out = tmp.resolve("spm.gguf");
        try (ModelWeights w = new ModelSource(dir.toString()).open()) {
            GgufExport.write("test", w, uniform(w.architecture(), "F16"), null, out.toString());
        }
        GgufFile.Vocabulary v = GgufFile.vocabulary(out.toString(), new Configuration());
        assertEquals("llama", v.model());
        assertEquals(6, v.tokenTypes()[3 + 0x41], "<0x41> is a byte token");
        assertEquals(2, v.tokenTypes()[0], "<unk> is the unknown token");
        assertTrue(v.addSpacePrefix());
        Tokenizer theirs = HuggingFaceTokenizer.load(dir.resolve("tokenizer.json").toString());
        Tokenizer ours = GgufTokenizers.load(out.toString(), new Configuration());
        int[] ids = theirs.encode(TEXT, false, false);
        assertTrue(ids.length < TEXT.length() * 3 / 4, "merges apply: " + ids.length);
        assertArrayEquals(ids, ours.encode(TEXT, false, false));
    }

    @Test
    void aGgufSourceKeepsItsTokenizerKeysByteForByte() throws Exception {
        Path dir = TokenizerFixtures.huggingFaceDir(tmp.resolve("qwen2"), ArchitectureFamily.QWEN2, "qwen2");
        Path first = tmp.resolve("first.gguf");
        try (ModelWeights w = new ModelSource(dir.toString()).open()) {
            GgufExport.write("test", w, uniform(w.architecture(), "F16"), null, first.toString());
        }
        Path second = tmp.resolve("second.gguf");
        try (ModelWeights w = new ModelSource(first.toString()).open()) {
            GgufExport.write("test", w, uniform(w.architecture(), "Q4_0"), null, second.toString());
        }
        Map<String, byte[]> a = GgufFile.rawMetadata(first.toString(), "tokenizer.", new Configuration());
        Map<String, byte[]> b = GgufFile.rawMetadata(second.toString(), "tokenizer.", new Configuration());
        assertEquals(a.keySet(), b.keySet());
        assertTrue(a.containsKey("tokenizer.ggml.merges"));
        for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), k);
    }

    @Test
    void aCheckpointWithoutATokenizerIsRefusedNamingTheFileAndNothingIsWritten() throws Exception {
        Path model = tmp.resolve("model.bin");
        try (ModelWeights w = SyntheticLlama.tiny(3)) {
            SyntheticLlama.writeLlama2c(w, model.toString());
        }
        Path out = tmp.resolve("none.gguf");
        try (ModelWeights w = new ModelSource(model.toString()).open()) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> GgufExport.write("test", w, uniform(w.architecture(), "F16"), null,
                    out.toString()));
            assertEquals("--tokenizer", e.field());
            assertTrue(e.getMessage().contains(model.getFileName().toString()), e.getMessage());
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void aByteLevelPreTokenizerLlamaCppHasNoNameForIsRefusedByName() throws Exception {
        Path dir = TokenizerFixtures.huggingFaceDir(tmp.resolve("odd"), ArchitectureFamily.QWEN2, "qwen2");
        TokenizerFixtures.writeByteLevel(dir.resolve("tokenizer.json"), "\\s+|\\S+");
        Path out = tmp.resolve("odd.gguf");
        try (ModelWeights w = new ModelSource(dir.toString()).open()) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> GgufExport.write("test", w, uniform(w.architecture(), "F16"), null,
                    out.toString()));
            assertEquals("pre_tokenizer", e.field());
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void iq4NlAndIq4XsAreWrittenAsTheirRegistryTypesAndReadBackAsTheWeightsMeasured() throws Exception {
        try (SyntheticLlama w = SyntheticLlama.create(new SyntheticLlama.Shape(256, 544, 1, 4, 4, 320, 64, false), 9)) {
            ModelArchitecture a = w.architecture();
            Map<String, TensorChoice> choices = new LinkedHashMap<>();
            for (TensorSpec t : a.linearTensors()) choices.put(t.name(), TensorChoice.parse(t.role() == TensorRole.V ? "IQ4_NL" : "IQ4_XS"));
            Path out = tmp.resolve("iq4.gguf");
            GgufExport.Result r = GgufExport.write("test", w, choices, null, out.toString());
            assertEquals("iq4_xs", r.storedTypes().get("blk.0.attn_q.weight"));
            assertEquals("iq4_nl", r.storedTypes().get("blk.0.attn_v.weight"));
            assertEquals("iq4_nl", r.storedTypes().get("blk.0.ffn_down.weight"), "rows of 544: IQ4_XS falls back to IQ4_NL");
            assertEquals("IQ4_XS", GgufFile.tensorTypes(out.toString(), new Configuration()).get("blk.0.attn_q.weight"), "ggml type 23 in the file");
            try (ModelWeights back = GgufFile.open(out.toString())) {
                for (TensorSpec t : a.linearTensors()) {
                    float[] want = TensorCompressor.quantizeMatrix(choices.get(t.name()).format(), w.read(t.name()), t.rows(), t.cols());
                    float[] got = back.read(t.name());
                    for (int i = 0; i < want.length; i++) assertTrue(want[i] == got[i], t.name() + " at " + i);
                }
            }
        }
    }

    @Test
    void exportToGgufWithoutATokenizerExitsWithCode2NamingTheModelFileAndWritesNothing() throws Exception {
        Path model = tmp.resolve("plain.bin");
        try (ModelWeights w = SyntheticLlama.tiny(4)) {
            SyntheticLlama.writeLlama2c(w, model.toString());
        }
        Path out = tmp.resolve("plain.gguf");
        org.edgefront.jobs.CliRun r = org.edgefront.jobs.CliRun.of("export", "--model", model.toString(), "--format", "Q8_0", "--to", "gguf",
                "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(model.toString()) && r.err().contains("--tokenizer"), r.err());
        assertFalse(r.hasStackTrace(), r.err());
        assertFalse(Files.exists(out));
        try (java.util.stream.Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().contains("plain.gguf")).toList(), "no temporary file left");
        }
    }
}
