package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.evaluators.quality.ForwardPasses;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.export.GgufExport;
import org.edgefront.jobs.export.LlamaCppExport;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.io.GgufFile;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.RopeScaling;
import org.edgefront.space.model.SlidingWindow;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real llama.cpp as the oracle of EdgeFront's Phi-3 support: a tiny random Phi-3 (width 64, 4 heads and 2 KV heads
 * of 16, FFN 128, two layers, untied head as Phi-3-mini has) is exported as an F32 {@code phi3} GGUF with stories260K's
 * tok512 tokenizer, and its perplexity computed twice on the same tokens by {@link PerplexityOracle}: by
 * {@code llama-perplexity} (chunks of 128 tokens, the second half of each scored) and by EdgeFront's forward pass on the
 * GGUF read back over the very token ids llama-perplexity used. Agreement needs every part right at once: the phi3 keys
 * llama.cpp's loader requires, q | k | v stacked in {@code attn_qkv} and gate | up in an {@code ffn_up} of 2 x ffn rows
 * (gate first, as LLM_FFN_SWIGLU takes the SiLU input from the first half), the q/k rows in rotate-half order for NeoX
 * RoPE, grouped-query attention and the untied head. A second case quantizes EdgeFront's F32 phi3 GGUF with the real
 * {@code llama-quantize} and the point's {@code --tensor-type-file} (which names the stacks llama-quantize sees), and
 * compares every tensor with EdgeFront's own mixed-precision phi3 GGUF: same types, same bytes. A third runs the same
 * model with LongRoPE factors, under both factor sets; a fourth with partial rotary (Phi-4-mini's), plain and with LongRoPE.
 */
@Tag("llamacpp")
class Phi3PerplexityOracleTest {
    private static final int CTX = 128;
    private static final int CHUNKS = 4;
    /**
     * |ln PPL| difference allowed, in nats per token. Both sides compute in float32 on the same weights and tokens, so
     * only the order of summation differs (ggml's matrix kernels and softmax against ND4J's GEMMs and Java loops): some
     * 1e-7 relative per product, grown by the 64- to 128-term dot products and the large logits of a random model (mean
     * NLL near 13.7) to about 1e-5 per logit, which mostly cancels over 252 scored tokens. Measured: 3.6e-5 here; 9e-6,
     * 1.3e-5 and 1.0e-4 with LongRoPE (the last with cos and sin times 1.1, so q.k times 1.21); 2.4e-5 and 8.6e-5 with
     * partial rotary, plain and with LongRoPE; 9e-6 for Qwen3, 2.4e-5
     * for Gemma 3; an earlier Phi-3 attempt reported 1.07e-4. llama.cpp's four printed decimals
     * add nothing at these perplexities. 2e-4 is about twice the largest of those, and some 700 times below what a
     * layout error costs: gate and up swapped in ffn_up moved llama.cpp's NLL by 0.138 nats, q/k rows left interleaved
     * under NeoX RoPE by 0.299.
     */
    private static final double NLL_TOLERANCE = 2e-4;
    /**
     * What LongRoPE done wrong must cost at least, in nats per token (25 times the tolerance): plain RoPE instead of the
     * factors, or the other factor set. Measured against llama.cpp's NLL: plain RoPE 0.028, 0.086 and 0.123 (originals
     * 64, 192, 256), the other set 0.131, 0.152 and 0.146.
     */
    private static final double LONG_ROPE_MISSED_NLL = 25 * NLL_TOLERANCE;
    /** Rotated dimensions of the partial-rotary case: 0.75 of heads of 16, Phi-4-mini's fraction. */
    private static final int PARTIAL_ROTARY_DIMS = 12;
    /**
     * What rotating whole heads instead of the first 12 dimensions must cost at least, in nats per token (25 times the
     * tolerance). Measured against llama.cpp's NLL: 0.090 plain, 0.082 with LongRoPE.
     */
    private static final double PARTIAL_ROTARY_MISSED_NLL = 25 * NLL_TOLERANCE;

    @TempDir
    Path dir;

    @Test
    void llamaPerplexityAndEdgeFrontAgreeOnATinyPhi3GgufWithStackedQkvAndGateUp() throws Exception {
        Path models = TestPaths.shared().resolve("models");
        Path gguf = dir.resolve("phi3-tiny-f32.gguf");
        try (ModelWeights w = renamed(SyntheticLlama.create(new SyntheticLlama.Shape(64, 128, 2, 4, 2, 512, 256, false), 17,
                ArchitectureFamily.PHI3), "tiny-p3-oracle")) {
            Map<String, TensorChoice> f32 = new LinkedHashMap<>();
            for (TensorSpec t : w.architecture().linearTensors()) f32.put(t.name(), TensorChoice.parse("F32"));
            GgufExport.write("phi3-oracle", w, f32, models.resolve("tok512.bin").toString(), gguf.toString());
        }
        GgufFile.HeaderSummary h = GgufFile.header(gguf.toString(), new Configuration());
        assertEquals("phi3", h.strings().get("general.architecture"));
        // the layout llama.cpp's converter writes for Phi-3, which this run makes llama.cpp load
        assertEquals(List.of(64L, 128L), h.tensorDims().get("blk.1.attn_qkv.weight"));
        assertEquals(List.of(64L, 256L), h.tensorDims().get("blk.1.ffn_up.weight"));
        assertFalse(h.tensorDims().containsKey("blk.1.ffn_gate.weight"));
        PerplexityOracle.Result r = PerplexityOracle.compare(dir, gguf, CTX, CHUNKS, a -> {
                assertEquals(ArchitectureFamily.PHI3, a.family());
                assertFalse(a.tiedEmbeddings());
                assertEquals(2, a.kvHeads());
                assertEquals(SlidingWindow.NONE, a.slidingWindow());
            });
        double llamaNll = r.llamaNll(), edgefrontNll = r.edgefrontNll();
        int count = r.tokens();
        String tail = r.logTail();
        System.out.printf("phi3 oracle: llama-perplexity PPL %.6f (mean NLL %.6f), EdgeFront PPL %.6f (mean NLL %.6f), |diff| %.3g nats, %d tokens%n",
                Math.exp(llamaNll), llamaNll, Math.exp(edgefrontNll), edgefrontNll, Math.abs(llamaNll - edgefrontNll), count);
        assertEquals(llamaNll, edgefrontNll, NLL_TOLERANCE, "mean NLL over " + count + " scored tokens; llama.cpp log tail:\n" + tail);
        // and the CLI's eval runs the same file with the tokenizer it carries (EdgeFront's own paragraphs and tokenization)
        com.fasterxml.jackson.databind.JsonNode eval = LlamaCppTools.eval128("--model", gguf.toString());
        assertTrue(Double.isFinite(eval.get("nll").asDouble()) && eval.get("nll").asDouble() > 0, eval.toString());
    }

    /**
     * LongRoPE (Phi-3-*-128k, Phi-3.5) against llama.cpp: the tiny Phi-3 above with seeded factors per frequency pair (long
     * in [1, 4], short in [1, 1.5]), exported with its factor tensors and keys and run three times, so that both sets and
     * llama.cpp's rule for choosing are covered: llama-perplexity's 128-token chunks run in a context of 256 per sequence
     * (llama.cpp rounds n_ctx_seq up to 256) and take the long factors when that exceeds the original context. Original 64:
     * long. Original 192: long as well, though a chunk is shorter than 192 (the rounding; transformers would take the
     * short ones). Original 256: short, with an explicit attention factor of 1.1, which llama.cpp applies with either set.
     * Each time EdgeFront must agree within the tolerance, and the same GGUF with the factors ignored (plain RoPE) or with
     * the other set must not: both move the NLL by far more.
     */
    @Test
    void llamaPerplexityAndEdgeFrontAgreeOnATinyLongRopePhi3WhicheverFactorSetLlamaCppPicks() throws Exception {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(29);
        List<Double> lng = new ArrayList<>();
        List<Double> shrt = new ArrayList<>();
        for (int i = 0; i < 8; i++) {   // heads of 16: eight frequency pairs
            lng.add(1 + 3 * rnd.nextDouble());
            shrt.add(1 + 0.5 * rnd.nextDouble());
        }
        record Case(int originalContext, Double attentionFactor, boolean longFactors) {}
        for (Case c : List.of(new Case(64, null, true), new Case(192, null, true), new Case(256, 1.1, false))) {
            Path run = Files.createDirectories(dir.resolve("longrope-" + c.originalContext()));
            Path gguf = run.resolve("phi3-longrope.gguf");
            RopeScaling rope = RopeScaling.longRope(lng, shrt, 256.0 / c.originalContext(), c.originalContext(), c.attentionFactor());
            assertEquals(c.longFactors(), rope.usesLongFactors(CTX), "the set llama.cpp takes for " + CTX + "-token chunks");
            try (ModelWeights w = SyntheticLlama.create(new SyntheticLlama.Shape(64, 128, 2, 4, 2, 512, 256, false), 17,
                    ArchitectureFamily.PHI3)) {
                ModelWeights named = renamed(w, "tiny-p3-longrope");
                ModelWeights scaled = PerplexityOracle.as(named, named.architecture().withRopeScaling(rope));
                Map<String, TensorChoice> f32 = new LinkedHashMap<>();
                for (TensorSpec t : scaled.architecture().linearTensors()) f32.put(t.name(), TensorChoice.parse("F32"));
                GgufExport.write("phi3-longrope", scaled, f32, TestPaths.shared().resolve("models/tok512.bin").toString(), gguf.toString());
            }
            PerplexityOracle.Result r = PerplexityOracle.compare(run, gguf, CTX, CHUNKS, a -> {
                    assertEquals(RopeScaling.Type.LONGROPE, a.ropeScaling().type());
                    assertEquals(c.originalContext(), a.ropeScaling().originalContext());
                });
            double ignored;
            double otherSet;
            try (ModelWeights back = GgufFile.open(gguf.toString())) {
                RopeScaling read = back.architecture().ropeScaling();
                ignored = PerplexityOracle.nll(ForwardPasses.load(PerplexityOracle.as(back, back.architecture().withRopeScaling(RopeScaling.NONE))), r.sequences());
                RopeScaling swapped = RopeScaling.longRope(read.shortFactors(), read.longFactors(), read.factor(), read.originalContext(),
                        read.attentionFactor());
                otherSet = PerplexityOracle.nll(ForwardPasses.load(PerplexityOracle.as(back, back.architecture().withRopeScaling(swapped))), r.sequences());
            }
            double llamaNll = r.llamaNll();
            double edgefrontNll = r.edgefrontNll();
            System.out.printf("phi3 longrope oracle, original context %d (%s factors, attention factor %.6f): llama-perplexity mean NLL %.6f,"
                    + " EdgeFront %.6f, |diff| %.3g nats, %d tokens; factors ignored %.6f (|diff| %.4f), other set %.6f (|diff| %.4f)%n",
                    c.originalContext(), c.longFactors() ? "long" : "short", rope.attentionFactor(), llamaNll, edgefrontNll,
                    Math.abs(llamaNll - edgefrontNll), r.tokens(), ignored, Math.abs(llamaNll - ignored), otherSet, Math.abs(llamaNll - otherSet));
            assertEquals(llamaNll, edgefrontNll, NLL_TOLERANCE, "original context " + c.originalContext() + ": mean NLL over " + r.tokens()
                    + " scored tokens; llama.cpp log tail:\n" + r.logTail());
            assertTrue(Math.abs(llamaNll - ignored) > LONG_ROPE_MISSED_NLL, "plain RoPE would pass: NLL " + ignored + " vs " + llamaNll);
            assertTrue(Math.abs(llamaNll - otherSet) > LONG_ROPE_MISSED_NLL, "the other factor set would pass: NLL " + otherSet + " vs " + llamaNll);
        }
    }

    /**
     * Partial rotary (Phi-4-mini: {@code partial_rotary_factor} 0.75, {@code phi3.rope.dimension_count} 96 of 128) against
     * llama.cpp: the tiny Phi-3 above with RoPE on 12 of its 16 head dimensions, exported with {@code rope.dimension_count}
     * 12 and q/k rows in rotate-half order over those 12 rows only, run plain and with LongRoPE (6 factors per set, n_rot/2,
     * on the long set: original context 64). llama.cpp's NeoX RoPE turns the first n_rot dimensions of each head at
     * frequencies theta^(-2i/n_rot) and copies the rest; EdgeFront must agree within the tolerance, and the same GGUF run
     * by EdgeFront with whole heads rotated (LongRoPE's factors padded with 1 for the two extra pairs) must not.
     */
    @Test
    void llamaPerplexityAndEdgeFrontAgreeOnATinyPartialRotaryPhi3PlainAndUnderLongRope() throws Exception {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(31);
        List<Double> lng = new ArrayList<>();
        List<Double> shrt = new ArrayList<>();
        for (int i = 0; i < 6; i++) {   // 12 rotated dimensions: six frequency pairs
            lng.add(1 + 3 * rnd.nextDouble());
            shrt.add(1 + 0.5 * rnd.nextDouble());
        }
        RopeScaling longRope = RopeScaling.longRope(lng, shrt, 256.0 / 64, 64, null);
        for (RopeScaling rope : List.of(RopeScaling.NONE, longRope)) {
            String label = rope.type().configName();
            Path run = Files.createDirectories(dir.resolve("partial-" + label));
            Path gguf = run.resolve("phi3-partial.gguf");
            try (ModelWeights w = SyntheticLlama.create(new SyntheticLlama.Shape(64, 128, 2, 4, 2, 512, 256, false), 17,
                    ArchitectureFamily.PHI3)) {
                ModelWeights named = renamed(w, "tiny-p3-partial");
                ModelWeights partial = PerplexityOracle.as(named, named.architecture().withRotaryDims(PARTIAL_ROTARY_DIMS).withRopeScaling(rope));
                Map<String, TensorChoice> f32 = new LinkedHashMap<>();
                for (TensorSpec t : partial.architecture().linearTensors()) f32.put(t.name(), TensorChoice.parse("F32"));
                GgufExport.write("phi3-partial", partial, f32, TestPaths.shared().resolve("models/tok512.bin").toString(), gguf.toString());
            }
            GgufFile.HeaderSummary h = GgufFile.header(gguf.toString(), new Configuration());
            assertEquals((double) PARTIAL_ROTARY_DIMS, h.numbers().get("phi3.rope.dimension_count"));
            PerplexityOracle.Result r = PerplexityOracle.compare(run, gguf, CTX, CHUNKS, a -> {
                    assertEquals(PARTIAL_ROTARY_DIMS, a.rotaryDims());
                    assertEquals(16, a.headDim());
                    assertEquals(rope.type(), a.ropeScaling().type());
                    assertEquals(rope.longFactors().size(), a.ropeScaling().longFactors().size(), "n_rot/2 factors");
                });
            double wholeHeads;
            try (ModelWeights back = GgufFile.open(gguf.toString())) {
                ModelArchitecture a = back.architecture();
                RopeScaling widened = rope;
                if (rope.type() == RopeScaling.Type.LONGROPE) {
                    List<Double> l = new ArrayList<>(rope.longFactors());
                    List<Double> s = new ArrayList<>(rope.shortFactors());
                    for (int i = l.size(); i < a.headDim() / 2; i++) {
                        l.add(1.0);
                        s.add(1.0);
                    }
                    widened = RopeScaling.longRope(l, s, rope.factor(), rope.originalContext(), rope.attentionFactor());
                }
                ModelArchitecture whole = a.withRopeScaling(RopeScaling.NONE).withRotaryDims(a.headDim()).withRopeScaling(widened);
                wholeHeads = PerplexityOracle.nll(ForwardPasses.load(PerplexityOracle.as(back, whole)), r.sequences());
            }
            double llamaNll = r.llamaNll();
            double edgefrontNll = r.edgefrontNll();
            System.out.printf("phi3 partial rotary oracle (%d of 16, %s): llama-perplexity mean NLL %.6f, EdgeFront %.6f, |diff| %.3g nats,"
                    + " %d tokens; whole heads rotated %.6f (|diff| %.4f)%n", PARTIAL_ROTARY_DIMS, label, llamaNll, edgefrontNll,
                    Math.abs(llamaNll - edgefrontNll), r.tokens(), wholeHeads, Math.abs(llamaNll - wholeHeads));
            assertEquals(llamaNll, edgefrontNll, NLL_TOLERANCE, label + ": mean NLL over " + r.tokens() + " scored tokens; llama.cpp log tail:\n"
                    + r.logTail());
            assertTrue(Math.abs(llamaNll - wholeHeads) > PARTIAL_ROTARY_MISSED_NLL, label + ": rotating whole heads would pass: NLL "
                    + wholeHeads + " vs " + llamaNll);
        }
    }

    @Test
    void llamaQuantizeStoresThePhi3StacksAsTheTensorTypeFileSaysAndAsEdgeFrontsOwnGgufByteForByte() throws Exception {
        Path tok = TestPaths.shared().resolve("models/tok512.bin");
        Path base = dir.resolve("phi3-f32.gguf");
        Path ours = dir.resolve("phi3-edgefront.gguf");
        Map<String, TensorChoice> choices = new LinkedHashMap<>();
        Map<String, String> labels = new LinkedHashMap<>();
        long weightBytes;
        try (ModelWeights w = renamed(SyntheticLlama.create(new SyntheticLlama.Shape(64, 128, 2, 4, 2, 512, 256, false), 23,
                ArchitectureFamily.PHI3), "tiny-p3-quantize")) {
            Map<String, TensorChoice> f32 = new LinkedHashMap<>();
            for (TensorSpec t : w.architecture().linearTensors()) {
                f32.put(t.name(), TensorChoice.parse("F32"));
                // each stack one type, the two layers' stacks of different types
                String label = switch (t.role()) {
                    case Q, K, V -> t.layer() == 0 ? "Q8_0" : "Q4_0";
                    case GATE, UP -> t.layer() == 0 ? "Q4_0" : "Q5_1";
                    case O -> "Q5_0";
                    case DOWN -> "Q4_1";
                    default -> "Q8_0";
                };
                choices.put(t.name(), TensorChoice.parse(label));
                labels.put(t.name(), label);
            }
            GgufExport.write("phi3-f32", w, f32, tok.toString(), base.toString());
            weightBytes = GgufExport.write("phi3-mixed", w, choices, tok.toString(), ours.toString()).weightBytes();
            LlamaCppExport.Plan plan = LlamaCppExport.plan("phi3-mixed", labels, w.architecture(), false);
            assertEquals("q4_0", plan.tensorTypes().get("blk.1.attn_qkv.weight"));
            assertEquals("q5_1", plan.tensorTypes().get("blk.1.ffn_up.weight"));
            Path types = dir.resolve("types.txt");
            Files.writeString(types, plan.fileText());
            Path quantized = dir.resolve("llama-quantize.gguf");
            List<String> cmd = new ArrayList<>(Arrays.asList(LlamaCppExport.command(plan, types.toString(), "p")
                    .replace(" MODEL-F16.gguf MODEL-p.gguf ", " " + base + " " + quantized + " ").split(" ")));
            cmd.set(0, LlamaCppTools.bin().resolve("llama-quantize").toString());
            LlamaCppTools.runOk(dir.resolve("quantize.log"), 300, cmd);
            Map<String, GgufTensors.Tensor> theirs = GgufTensors.read(quantized);
            Map<String, GgufTensors.Tensor> mine = GgufTensors.read(ours);
            assertEquals(theirs.keySet(), mine.keySet());
            long bytes = 0;
            for (GgufTensors.Tensor t : mine.values()) {
                GgufTensors.Tensor o = theirs.get(t.name());
                String type = GgufTensors.NAMES.get(t.type());
                assertEquals(GgufTensors.NAMES.get(o.type()), type, t.name());
                if (t.matrix()) assertEquals(plan.tensorTypes().get(t.name()), type, t.name() + " as the tensor-type file says");
                assertArrayEquals(o.data(), t.data(), t.name() + " (" + type + ") bytes differ");
                if (t.matrix()) bytes += o.data().length;
            }
            assertEquals(weightBytes, bytes);
            assertEquals(plan.weightBytes(), bytes);
        }
    }

    /**
     * {@code w} under another general.name: llama.cpp's vocabulary loader gives Phi-3's special tokens their attributes
     * when general.name contains "phi3" or "phi-3", looking up {@code <s>}, {@code </s>}, {@code <unk>} and
     * {@code <|endoftext|>} with {@code unordered_map::at}, so a "synthetic-phi3" model with tok512's vocabulary (no
     * {@code <|endoftext|>}) fails to load. A real Phi-3 carries those tokens; the name changes nothing else.
     */
    private static ModelWeights renamed(ModelWeights w, String name) {
        ModelArchitecture a = w.architecture();
        return PerplexityOracle.as(w, new ModelArchitecture(name, a.family(), a.dim(), a.hiddenDim(), a.layers(), a.heads(), a.kvHeads(),
                a.vocabSize(), a.maxSeqLen(), a.tiedEmbeddings(), a.normEps(), a.ropeTheta(), a.synthetic(), a.linearTensors(),
                a.headDim(), a.ropeScaling(), a.slidingWindow(), a.attentionScale(), a.rotaryDims(), a.softcaps()));
    }

}
