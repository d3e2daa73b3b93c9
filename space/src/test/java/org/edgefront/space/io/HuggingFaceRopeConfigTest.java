package org.edgefront.space.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.RopeScaling;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json fixtures as transformers 4 ({@code rope_scaling}) and 5 ({@code rope_parameters}) write them. */
class HuggingFaceRopeConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A tiny model (max_position_embeddings 16) whose config.json is then edited. */
    private String model(String name, Consumer<ObjectNode> edit) throws Exception {
        String out = dir.resolve(name).toString();
        SyntheticLlama.writeHuggingFace(SyntheticLlama.create(new SyntheticLlama.Shape(32, 48, 1, 4, 2, 40, 16, false), 7), out, "F32", 1);
        Path cfg = Path.of(out, "config.json");
        ObjectNode n = (ObjectNode) JSON.readTree(cfg.toFile());
        edit.accept(n);
        JSON.writeValue(cfg.toFile(), n);
        return out;
    }

    /**
     * A tiny Phi-3 (max_position_embeddings 16, heads of 8: four frequency pairs) whose config.json is then edited; its
     * writer puts original_max_position_embeddings 16 at the top level, as Phi-3 configs hold it.
     */
    private String phi3(String name, Consumer<ObjectNode> edit) throws Exception {
        String out = dir.resolve(name).toString();
        SyntheticLlama.writeHuggingFace(SyntheticLlama.create(new SyntheticLlama.Shape(32, 48, 1, 4, 2, 40, 16, false), 7,
                ArchitectureFamily.PHI3), out, "F32", 1);
        Path cfg = Path.of(out, "config.json");
        ObjectNode n = (ObjectNode) JSON.readTree(cfg.toFile());
        edit.accept(n);
        JSON.writeValue(cfg.toFile(), n);
        return out;
    }

    private RopeScaling phi3Rope(String name, Consumer<ObjectNode> edit) throws Exception {
        try (ModelWeights w = HuggingFaceModel.open(phi3(name, edit))) {
            return w.architecture().ropeScaling();
        }
    }

    private InvalidInputException phi3Refused(String name, Consumer<ObjectNode> edit) throws Exception {
        String out = phi3(name, edit);
        return assertThrows(InvalidInputException.class, () -> HuggingFaceModel.open(out).close());
    }

    private static final List<Double> LONG = List.of(1.0, 1.5, 2.5, 4.0);
    private static final List<Double> SHORT = List.of(1.0, 1.05, 1.1, 1.2);

    /** A LongRoPE object as Phi-3-mini-128k's config.json holds it (factors, rule name under {@code typeKey}). */
    private static ObjectNode longRope(ObjectNode parent, String field, String typeKey, String rule) {
        ObjectNode r = parent.putObject(field).put(typeKey, rule);
        LONG.forEach(r.putArray("long_factor")::add);
        SHORT.forEach(r.putArray("short_factor")::add);
        return r;
    }

    private ModelArchitecture open(String name, Consumer<ObjectNode> edit) throws Exception {
        try (ModelWeights w = HuggingFaceModel.open(model(name, edit))) {
            return w.architecture();
        }
    }

    private InvalidInputException refused(String name, Consumer<ObjectNode> edit) throws Exception {
        String out = model(name, edit);
        return assertThrows(InvalidInputException.class, () -> HuggingFaceModel.open(out).close());
    }

    @Test
    void transformers5RopeThetaInsideRopeParametersIsUsed() throws Exception {
        ModelArchitecture a = open("v5", n -> {
            n.remove("rope_theta");
            n.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", 100000.0);
        });
        assertEquals(100000.0, a.ropeTheta(), "was silently 10000 before");
        assertEquals(RopeScaling.NONE, a.ropeScaling());
    }

    @Test
    void transformers5Llama3ParametersBecomeTheLlama3Rule() throws Exception {
        ModelArchitecture a = open("v5-llama3", n -> {
            n.remove("rope_theta");
            n.putObject("rope_parameters").put("rope_type", "llama3").put("rope_theta", 500000.0).put("factor", 8.0)
                    .put("low_freq_factor", 1.0).put("high_freq_factor", 4.0).put("original_max_position_embeddings", 8192);
        });
        assertEquals(500000.0, a.ropeTheta());
        assertEquals(RopeScaling.llama3(8, 1, 4, 8192), a.ropeScaling());
    }

    @Test
    void transformers4RopeScalingLinearAndYarnAreRead() throws Exception {
        assertEquals(RopeScaling.linear(2), open("v4-linear", n -> n.putObject("rope_scaling").put("type", "linear").put("factor", 2.0))
                .ropeScaling());
        ModelArchitecture y = open("v4-yarn", n -> n.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0)
                .put("original_max_position_embeddings", 4));
        assertEquals(RopeScaling.yarn(4, 4, 32, 1, null), y.ropeScaling());
        assertEquals(0.1 * Math.log(4) + 1, y.ropeScaling().attentionFactor(), 1e-15);
    }

    @Test
    void bothFieldsAgreeingAreAcceptedAndDisagreeingAreRefused() throws Exception {
        assertEquals(RopeScaling.linear(2), open("both", n -> {
            n.putObject("rope_parameters").put("rope_type", "linear").put("factor", 2.0).put("rope_theta", 10000.0);
            n.putObject("rope_scaling").put("rope_type", "linear").put("factor", 2.0);
        }).ropeScaling());
        InvalidInputException e = refused("disagree", n -> {
            n.putObject("rope_parameters").put("rope_type", "linear").put("factor", 2.0);
            n.putObject("rope_scaling").put("rope_type", "linear").put("factor", 4.0);
        });
        assertEquals("rope_scaling", e.field());
        assertEquals("rope_parameters.rope_theta", refused("theta", n -> n.putObject("rope_parameters").put("rope_type", "default")
                .put("rope_theta", 100000.0)).field(), "top-level rope_theta 10000 disagrees");
    }

    @Test
    void otherRopeRulesAndUnknownKeysAreRefusedByName() throws Exception {
        InvalidInputException e = refused("dynamic", n -> n.putObject("rope_scaling").put("type", "dynamic").put("factor", 2.0));
        assertEquals("rope_scaling.type", e.field());
        assertTrue(e.getMessage().contains("'dynamic'"), e.getMessage());
        assertEquals("rope_parameters.rope_type", refused("longrope", n -> n.putObject("rope_parameters").put("rope_type", "longrope")).field());
        assertEquals("rope_scaling.short_factor", refused("key", n -> n.putObject("rope_scaling").put("rope_type", "linear").put("factor", 2.0)
                .put("short_factor", 1.0)).field());
        assertEquals("rope_scaling.factor", refused("nofactor", n -> n.putObject("rope_scaling").put("rope_type", "linear")).field());
        assertEquals("rope_parameters", refused("per-layer", n -> n.putObject("rope_parameters").putObject("full_attention")
                .put("rope_type", "default")).field());
    }

    @Test
    void yarnWhoseFactorDisagreesWithTheContextRatioIsRefused() throws Exception {
        // max_position_embeddings 16 / original 16 = 1, but factor 4: transformers versions read this differently
        InvalidInputException e = refused("yarn-ambiguous", n -> n.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0)
                .put("original_max_position_embeddings", 16));
        assertEquals("rope_scaling.factor", e.field());
    }

    @Test
    void scaledRopeSurvivesAHuggingFaceRoundTrip() throws Exception {
        String src = model("src", n -> n.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 8.0)
                .put("low_freq_factor", 1.0).put("high_freq_factor", 4.0).put("original_max_position_embeddings", 8));
        String out = dir.resolve("copy").toString();
        try (ModelWeights w = HuggingFaceModel.open(src)) {
            HuggingFaceWriter.write(w, out, StorageType.F32, 1);
            try (ModelWeights c = HuggingFaceModel.open(out)) {
                assertEquals(w.architecture().ropeScaling(), c.architecture().ropeScaling());
            }
        }
    }

    @Test
    void transformers4LongRopeOfAPhi3IsReadUnderItsNameAndAsSu() throws Exception {
        // Phi-3-mini-128k's layout: factors in rope_scaling, original_max_position_embeddings (4 here) at the top level
        RopeScaling r = phi3Rope("v4-longrope", n -> {
            n.put("original_max_position_embeddings", 4);
            longRope(n, "rope_scaling", "type", "longrope");
        });
        assertEquals(RopeScaling.longRope(LONG, SHORT, 4, 4, null), r);
        assertEquals(Math.sqrt(1 + Math.log(4) / Math.log(4)), r.attentionFactor(), 1e-15, "sqrt(1 + ln(16 / 4) / ln 4)");
        assertEquals(r, phi3Rope("v4-su", n -> {
            n.put("original_max_position_embeddings", 4);
            longRope(n, "rope_scaling", "type", "su");
        }), "su is LongRoPE's early name");
    }

    @Test
    void transformers5LongRopeParametersAreRead() throws Exception {
        RopeScaling r = phi3Rope("v5-longrope", n -> {
            n.remove("rope_theta");
            n.remove("original_max_position_embeddings");
            longRope(n, "rope_parameters", "rope_type", "longrope").put("rope_theta", 10000.0).put("original_max_position_embeddings", 8)
                    .put("factor", 2.0).put("attention_factor", 1.25);
        });
        assertEquals(RopeScaling.longRope(LONG, SHORT, 2, 8, 1.25), r);
        // the same rule in both fields, as transformers 5 saves a model it read from a transformers 4 config
        assertEquals(RopeScaling.longRope(LONG, SHORT, 4, 4, null), phi3Rope("both-longrope", n -> {
            n.put("original_max_position_embeddings", 4);
            longRope(n, "rope_parameters", "rope_type", "longrope").put("rope_theta", 10000.0);
            longRope(n, "rope_scaling", "type", "longrope");
        }));
    }

    @Test
    void longRopeFactorListsOfTheWrongLengthOrWithBadValuesAreRefusedByField() throws Exception {
        InvalidInputException e = phi3Refused("long-3", n -> longRope(n, "rope_scaling", "type", "longrope").putArray("long_factor")
                .add(1.0).add(2.0).add(3.0));
        assertEquals("rope_scaling.long_factor", e.field());
        assertTrue(e.getMessage().contains("3 values") && e.getMessage().contains("4 frequency pairs"), e.getMessage());
        assertEquals("rope_parameters.short_factor", phi3Refused("short-5", n -> longRope(n, "rope_parameters", "rope_type", "longrope")
                .putArray("short_factor").add(1.0).add(1.0).add(1.0).add(1.0).add(1.0)).field());
        assertEquals("rope_scaling.short_factor[2]", phi3Refused("short-negative", n -> longRope(n, "rope_scaling", "type", "longrope")
                .putArray("short_factor").add(1.0).add(1.0).add(-1.0).add(1.0)).field());
        assertEquals("rope_scaling.long_factor[0]", phi3Refused("long-text", n -> longRope(n, "rope_scaling", "type", "longrope")
                .putArray("long_factor").add("1").add(1.0).add(1.0).add(1.0)).field());
        assertEquals("rope_scaling.short_factor", phi3Refused("short-missing", n -> longRope(n, "rope_scaling", "type", "longrope")
                .remove("short_factor")).field());
        assertEquals("rope_scaling.long_factor", phi3Refused("long-number", n -> longRope(n, "rope_scaling", "type", "su")
                .put("long_factor", 2.0)).field());
    }

    @Test
    void longRopeSettingsTransformersVersionsReadDifferentlyAreRefused() throws Exception {
        // top-level 16 (the Phi-3 writer's) against 8 inside: transformers 5 takes the top-level one without a word
        assertEquals("rope_scaling.original_max_position_embeddings", phi3Refused("orig", n -> longRope(n, "rope_scaling", "type", "longrope")
                .put("original_max_position_embeddings", 8)).field());
        // factor 4, context ratio 16 / 16 = 1: transformers 5 derives the attention factor from the one, 4 and llama.cpp's converter from the other
        assertEquals("rope_scaling.factor", phi3Refused("factor", n -> longRope(n, "rope_scaling", "type", "longrope").put("factor", 4.0)).field());
        assertEquals(RopeScaling.longRope(LONG, SHORT, 4, 16, 1.1), phi3Rope("factor-moot", n -> longRope(n, "rope_scaling", "type", "longrope")
                .put("factor", 4.0).put("attention_factor", 1.1)), "an explicit attention factor leaves the factor unused");
        assertEquals("rope_scaling.beta_fast", phi3Refused("key", n -> longRope(n, "rope_scaling", "type", "longrope").put("beta_fast", 32)).field());
    }

    @Test
    void longRopeSurvivesAHuggingFaceRoundTrip() throws Exception {
        String src = phi3("longrope-src", n -> {
            n.put("original_max_position_embeddings", 4);
            longRope(n, "rope_scaling", "type", "longrope");
        });
        String out = dir.resolve("longrope-copy").toString();
        try (ModelWeights w = HuggingFaceModel.open(src)) {
            HuggingFaceWriter.write(w, out, StorageType.F32, 1);
            try (ModelWeights c = HuggingFaceModel.open(out)) {
                assertEquals(w.architecture().ropeScaling(), c.architecture().ropeScaling());
            }
        }
    }

    private ModelArchitecture phi3Arch(String name, Consumer<ObjectNode> edit) throws Exception {
        try (ModelWeights w = HuggingFaceModel.open(phi3(name, edit))) {
            return w.architecture();
        }
    }

    private static final List<Double> LONG3 = List.of(1.0, 2.0, 4.0);
    private static final List<Double> SHORT3 = List.of(1.0, 1.1, 1.3);

    /** LongRoPE for 6 rotated dimensions of the tiny Phi-3's heads of 8: three factors per set. */
    private static ObjectNode longRope3(ObjectNode parent, String field, String typeKey) {
        ObjectNode r = parent.putObject(field).put(typeKey, "longrope");
        LONG3.forEach(r.putArray("long_factor")::add);
        SHORT3.forEach(r.putArray("short_factor")::add);
        return r;
    }

    @Test
    void phi3PartialRotaryFactorSetsTheRotatedWidthInBothTransformersForms() throws Exception {
        ModelArchitecture plain = phi3Arch("prf-absent", n -> { });
        assertEquals(8, plain.rotaryDims(), "no key: whole heads");
        assertEquals(8, phi3Arch("prf-one", n -> n.put("partial_rotary_factor", 1.0)).rotaryDims());
        // transformers 4, Phi-4-mini's layout: the factor at the top level, LongRoPE factors for the rotated pairs only
        ModelArchitecture v4 = phi3Arch("prf-v4", n -> {
            n.put("partial_rotary_factor", 0.75);
            longRope3(n, "rope_scaling", "type");
        });
        assertEquals(6, v4.rotaryDims(), "int(8 x 0.75)");
        assertEquals(RopeScaling.longRope(LONG3, SHORT3, 1, 16, null), v4.ropeScaling());
        // transformers 5: the factor inside rope_parameters, with or without the top-level copy
        ModelArchitecture v5 = phi3Arch("prf-v5", n -> {
            n.remove("rope_theta");
            longRope3(n, "rope_parameters", "rope_type").put("rope_theta", 10000.0).put("partial_rotary_factor", 0.75);
        });
        assertEquals(v4, v5);
        assertEquals(v4, phi3Arch("prf-v5-both", n -> {
            n.put("partial_rotary_factor", 0.75);
            longRope3(n, "rope_parameters", "rope_type").put("partial_rotary_factor", 0.75);
            longRope3(n, "rope_scaling", "type");
        }));
        assertEquals(4, phi3Arch("prf-v5-default", n -> n.putObject("rope_parameters").put("rope_type", "default")
                .put("partial_rotary_factor", 0.5)).rotaryDims());
    }

    @Test
    void phi3PartialRotaryOutsideTheHeadOrOnAnOddWidthOrWithFactorsForTheWholeHeadIsRefusedByField() throws Exception {
        for (double bad : new double[] {0.0, -0.5, 1.5}) {
            InvalidInputException e = phi3Refused("prf-" + bad, n -> n.put("partial_rotary_factor", bad));
            assertEquals("partial_rotary_factor", e.field(), "value " + bad);
            assertTrue(e.file().endsWith("config.json"), e.file());
        }
        assertEquals("partial_rotary_factor", phi3Refused("prf-text", n -> n.put("partial_rotary_factor", "0.75")).field());
        // int(8 x 0.7) = 5 and int(8 x 0.1) = 0: RoPE turns pairs
        InvalidInputException odd = phi3Refused("prf-odd", n -> n.put("partial_rotary_factor", 0.7));
        assertEquals("partial_rotary_factor", odd.field());
        assertTrue(odd.getMessage().contains("= 5 "), odd.getMessage());
        assertEquals("partial_rotary_factor", phi3Refused("prf-none", n -> n.put("partial_rotary_factor", 0.1)).field());
        assertEquals("rope_scaling.partial_rotary_factor", phi3Refused("prf-rs-odd", n -> n.putObject("rope_scaling").put("type", "default")
                .put("partial_rotary_factor", 0.625)).field());
        // the two forms must agree (transformers 4 reads the top level, 5 the inner one)
        assertEquals("rope_parameters.partial_rotary_factor", phi3Refused("prf-disagree", n -> {
            n.put("partial_rotary_factor", 0.75);
            n.putObject("rope_parameters").put("rope_type", "default").put("partial_rotary_factor", 0.5);
        }).field());
        // LongRoPE factors for all four pairs of the head, while only three turn
        InvalidInputException whole = phi3Refused("prf-factors", n -> {
            n.put("partial_rotary_factor", 0.75);
            longRope(n, "rope_scaling", "type", "longrope");
        });
        assertEquals("rope_scaling.long_factor", whole.field());
        assertTrue(whole.getMessage().contains("4 values") && whole.getMessage().contains("3 frequency pairs"), whole.getMessage());
        // other families rotate whole heads, as before
        assertEquals("rope_parameters.partial_rotary_factor", refused("llama-prf", n -> n.putObject("rope_parameters")
                .put("rope_type", "default").put("partial_rotary_factor", 0.5)).field());
    }

    @Test
    void partialRotaryLongRopeSurvivesAHuggingFaceRoundTrip() throws Exception {
        String src = phi3("prf-src", n -> {
            n.put("partial_rotary_factor", 0.75);
            longRope3(n, "rope_scaling", "type");
        });
        String out = dir.resolve("prf-copy").toString();
        try (ModelWeights w = HuggingFaceModel.open(src)) {
            HuggingFaceWriter.write(w, out, StorageType.F32, 1);
            try (ModelWeights c = HuggingFaceModel.open(out)) {
                assertEquals(w.architecture(), c.architecture());
                for (String t : w.tensorNames()) org.junit.jupiter.api.Assertions.assertArrayEquals(w.read(t), c.read(t), t);
            }
        }
    }
}
