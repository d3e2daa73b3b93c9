package org.edgefront.jobs.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.edgefront.jobs.cli.ExportCommand;
import org.edgefront.jobs.report.SearchDirFixture;
import org.edgefront.jobs.spec.ChoicesFile;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.Llama2cWriter;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExporterTest {
    @TempDir
    Path tmp;
    Path dir;

    @BeforeEach
    void searchDir() throws Exception {
        dir = SearchDirFixture.write(tmp.resolve("run"), false, "{\"memory_bytes\": {\"atMost\": 3.5e6}}", false, 0, 0);
        // the searched model, so that exports know its shapes: a llama2.c file of the fixture's architecture
        Path model = tmp.resolve("fixture.bin");
        SyntheticLlama.Shape shape = new SyntheticLlama.Shape(64, 128, 2, 4, 4, 256, 128, true);
        Llama2cWriter.write(SyntheticLlama.create(shape, 3), model.toString());
        ObjectNode spec = (ObjectNode) new ObjectMapper().readTree(dir.resolve("spec.json").toFile());
        ((ObjectNode) spec.get("model")).put("source", model.toString());
        Files.writeString(dir.resolve("spec.json"), spec.toString());
    }

    private static Map<String, String> tensorTypeFile(Path f) throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        // llama-quantize reads whitespace-separated PATTERN=TYPE tokens
        for (String tok : Files.readString(f).trim().split("\\s+")) {
            int eq = tok.indexOf('=');
            assertTrue(eq > 0, "token " + tok);
            m.put(tok.substring(0, eq), tok.substring(eq + 1));
        }
        return m;
    }

    @Test
    void llamaCppFileNamesEveryTensorWithItsStoredTypeAndTheCommandUsesNoBypassFlags() throws Exception {
        Path out = tmp.resolve("best.txt");
        Exporter.Result r = Exporter.export(dir.toString(), SearchDirFixture.BEST, Exporter.Target.LLAMA_CPP, out.toString(), true);
        Map<String, String> lines = tensorTypeFile(out);
        assertEquals(SearchDirFixture.ARCH.linearTensors().size() + 1, lines.size(), "every tensor, and output.weight of the tied model");
        assertEquals("f16", lines.get("^token_embd\\.weight$"));
        assertEquals("f16", lines.get("^output\\.weight$"), "a converter's copy of the tied embedding gets the embedding's type");
        assertEquals("q4_0", lines.get("^blk\\.0\\.attn_q\\.weight$"), "int4g32 has q4_0's blocks (with --nearest)");
        assertEquals("q8_0", lines.get("^blk\\.0\\.ffn_up\\.weight$"), "int8g32 has q8_0's blocks (with --nearest)");
        assertEquals("f16", lines.get("^blk\\.1\\.ffn_down\\.weight$"));
        assertEquals("q8_0", lines.get("^blk\\.1\\.attn_k\\.weight$"));
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("blk.0.attn_q.weight: int4g32 -> q4_0 (same blocks, llama.cpp's quantizer")),
                r.warnings().toString());
        // --token-embedding-type/--output-tensor-type skip llama.cpp's shape fallback: never printed
        assertFalse(r.command().contains("--token-embedding-type") || r.command().contains("--output-tensor-type"), r.command());
        assertTrue(r.command().startsWith("llama-quantize --tensor-type-file " + out), r.command());
        assertTrue(r.command().endsWith(" MODEL-F16.gguf MODEL-" + SearchDirFixture.BEST + ".gguf Q8_0"), r.command());
    }

    @Test
    void llamaCppRefusesGenericGroupsEvenWithLlamaCppBlocksBecauseTheQuantizerDiffers() {
        Path out = tmp.resolve("best.txt");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Exporter.export(dir.toString(), SearchDirFixture.BEST, Exporter.Target.LLAMA_CPP, out.toString(), false));
        assertTrue(e.getMessage().contains("int4g32") && e.getMessage().contains("another quantizer") && e.getMessage().contains("--to gguf"),
                e.getMessage());
        assertFalse(Files.exists(out), "nothing written on error");
        assertTrue(LlamaCppExport.whyNotStored(TensorChoice.parse("int4g32")).isPresent());
        assertTrue(LlamaCppExport.whyNotStored(TensorChoice.parse("Q4_0+gptq")).isPresent());
        assertTrue(LlamaCppExport.whyNotStored(TensorChoice.parse("Q6_K")).isEmpty());
    }

    @Test
    void llamaCppWritesTheTypeLlamaCppFallsBackToAndCountsItsBytes() throws Exception {
        // the fixture's rows are 64 and 128 weights: no 256-block K-quant fits, llama.cpp stores Q4_K as Q5_0
        Path out = tmp.resolve("mid.txt");
        Exporter.Result r = Exporter.export(dir.toString(), SearchDirFixture.MIDDLE, Exporter.Target.LLAMA_CPP, out.toString(), true);
        Map<String, String> lines = tensorTypeFile(out);
        assertEquals("q4_1", lines.get("^blk\\.0\\.attn_k\\.weight$"));
        assertEquals("q5_0", lines.get("^blk\\.0\\.attn_v\\.weight$"));
        assertEquals("q5_1", lines.get("^blk\\.1\\.attn_v\\.weight$"));
        assertEquals("q5_0", lines.get("^blk\\.1\\.ffn_gate\\.weight$"), "Q4_K on 64-weight rows falls back to Q5_0");
        assertEquals("q8_0", lines.get("^token_embd\\.weight$"));
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("blk.1.ffn_gate.weight: Q4_K on rows of 64 weights is stored as Q5_0")),
                r.warnings().toString());
        assertTrue(r.command().endsWith(" Q4_0"), "q4_0 is the most common stored type: " + r.command());
        LlamaCppExport.Plan plan = LlamaCppExport.plan("front.json", SearchDirFixture.frontPoints().get(1).choices(), SearchDirFixture.ARCH, true);
        long expected = 0;
        for (var t : SearchDirFixture.ARCH.linearTensors()) {
            expected += TensorChoice.parse(SearchDirFixture.frontPoints().get(1).choices().get(t.name())).bytes(t);
        }
        assertEquals(expected, plan.chosenWeightBytes());
        assertEquals(expected, plan.weightBytes(), "same-block mapping and the fallback keep the bytes the memory model counted");
    }

    @Test
    void aPhi3TensorTypeFileNamesTheStacksLlamaQuantizeSeesAndRefusesPartsOfDifferentTypes() {
        org.edgefront.space.model.ModelArchitecture phi3 = org.edgefront.space.model.ModelArchitecture.of("phi3-test",
                org.edgefront.space.model.ArchitectureFamily.PHI3, 64, 96, 2, 4, 2, 40, 64, false, 1e-5, 10000.0, true);
        Map<String, String> c = new java.util.LinkedHashMap<>();
        for (var t : phi3.linearTensors()) c.put(t.name(), "Q8_0");
        c.put("blk.1.ffn_gate.weight", "Q4_0");
        c.put("blk.1.ffn_up.weight", "Q4_0");
        LlamaCppExport.Plan plan = LlamaCppExport.plan("front.json", c, phi3, false);
        assertEquals("q8_0", plan.tensorTypes().get("blk.0.attn_qkv.weight"));
        assertEquals("q4_0", plan.tensorTypes().get("blk.1.ffn_up.weight"), "gate | up as llama.cpp's converter stacks them");
        for (String gone : List.of("blk.0.attn_q.weight", "blk.0.attn_v.weight", "blk.1.ffn_gate.weight")) {
            assertTrue(!plan.tensorTypes().containsKey(gone) && !plan.fileText().contains(LlamaCppExport.pattern(gone)), gone);
        }
        assertTrue(plan.fileText().contains("^blk\\.1\\.attn_qkv\\.weight$=q8_0\n"), plan.fileText());
        long expected = 0;
        for (var t : phi3.linearTensors()) expected += TensorChoice.parse(c.get(t.name())).bytes(t);
        assertEquals(expected, plan.weightBytes());
        c.put("blk.1.attn_k.weight", "Q4_0");
        assertEquals("choices.blk.1.attn_k.weight", assertThrows(InvalidInputException.class,
                () -> LlamaCppExport.plan("front.json", c, phi3, false)).field());
    }

    @Test
    void llamaCppPatternsMatchOnlyTheirOwnTensor() {
        // llama-quantize applies std::regex_search: a bare "output.weight" would also hit attn_output
        List<String> names = new ArrayList<>();
        SearchDirFixture.ARCH.linearTensors().forEach(t -> names.add(t.name()));
        names.add("output.weight");
        names.add("blk.10.attn_q.weight");
        for (String n : names) {
            Pattern p = Pattern.compile(LlamaCppExport.pattern(n));
            for (String other : names) assertEquals(n.equals(other), p.matcher(other).find(), n + " vs " + other);
        }
    }

    @Test
    void llamaCppRefusesChoicesWithoutAnExactTypeUnlessNearestAndThenReportsTheNewBytes() throws Exception {
        Path out = tmp.resolve("small.txt");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Exporter.export(dir.toString(), SearchDirFixture.SMALL, Exporter.Target.LLAMA_CPP, out.toString(), false));
        assertTrue(e.getMessage().contains("blk.0.ffn_down.weight") && e.getMessage().contains("int3g32"), e.getMessage());
        assertTrue(e.getMessage().contains("--nearest"), e.getMessage());
        assertFalse(Files.exists(out), "nothing written on error");

        Exporter.Result r = Exporter.export(dir.toString(), SearchDirFixture.SMALL, Exporter.Target.LLAMA_CPP, out.toString(), true);
        Map<String, String> lines = tensorTypeFile(out);
        assertEquals("q4_0", lines.get("^blk\\.0\\.ffn_down\\.weight$"), "int3g32 -> q3_K (3.44 bpw), which 128-weight rows store as q4_0");
        assertEquals("q4_0", lines.get("^blk\\.1\\.ffn_up\\.weight$"), "2:4 sparsity dropped, int4g32 in q4_0 blocks");
        assertEquals("q4_0", lines.get("^blk\\.1\\.attn_output\\.weight$"), "low rank dropped");
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("blk.1.ffn_up.weight") && w.contains("2:4")));
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("blk.0.ffn_down.weight: int3g32 -> q3_K")), r.warnings().toString());
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("weight_bytes: ") && w.contains("as exported")), r.warnings().toString());
    }

    @Test
    void llamaCppRefusesSparsityWithoutNearest() {
        Map<String, String> c = SearchDirFixture.choices("Q4_0", Map.of("blk.0.attn_q.weight", "Q4_0+s50"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> LlamaCppExport.plan("front.json", c, null, false));
        assertEquals("choices.blk.0.attn_q.weight", e.field());
        assertTrue(e.getMessage().contains("sparse"), e.getMessage());
    }

    @Test
    void gptqModelConfigHasOneAnchoredRulePerModule() throws Exception {
        Path out = tmp.resolve("mid.json");
        Exporter.Result r = Exporter.export(dir.toString(), SearchDirFixture.MIDDLE, Exporter.Target.GPTQMODEL, out.toString(), true);
        JsonNode cfg = new ObjectMapper().readTree(out.toFile());
        assertEquals(4, cfg.get("bits").asInt());
        assertEquals(32, cfg.get("group_size").asInt());
        assertTrue(cfg.get("sym").asBoolean());
        assertFalse(cfg.get("desc_act").asBoolean());
        assertFalse(cfg.get("lm_head").asBoolean(), "tied embeddings: no lm_head module");
        JsonNode dyn = cfg.get("dynamic");
        JsonNode k = dyn.get("+:^model\\.layers\\.0\\.self_attn\\.k_proj$");
        assertEquals(4, k.get("bits").asInt());
        assertFalse(k.get("sym").asBoolean(), "int4g32a is asymmetric");
        JsonNode gate = dyn.get("+:^model\\.layers\\.1\\.mlp\\.gate_proj$");
        assertEquals(4, gate.get("bits").asInt());
        assertEquals(32, gate.get("group_size").asInt(), "Q4_K: 32-weight sub-blocks with scale and min");
        assertFalse(gate.get("sym").asBoolean());
        // int5g32 has no GPTQ width: nearest 4 bits, with a warning
        assertEquals(4, dyn.get("+:^model\\.layers\\.0\\.self_attn\\.v_proj$").get("bits").asInt());
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("blk.0.attn_v.weight") && w.contains("4 bits")), r.warnings().toString());
        // the embedding is never a GPTQ module: Q8_0 there needs --nearest and becomes 16-bit
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("token_embd.weight")), r.warnings().toString());
        assertEquals(14, dyn.size(), "one rule per linear module, the embedding has none");
        for (Iterator<String> it = dyn.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            assertTrue(key.matches("[+-]:\\^model\\\\\\.layers\\\\\\.\\d+\\\\\\.(self_attn|mlp)\\\\\\.[a-z_]+\\$"), key);
        }
        assertTrue(r.command().contains("QuantizeConfig(**json.load(open(") && r.command().contains(out.toString()), r.command());
    }

    @Test
    void gptqModelSkipsFloatModulesAndRefusesFiveBitWithoutNearest() throws Exception {
        Path out = tmp.resolve("best.json");
        Exporter.Result r = Exporter.export(dir.toString(), SearchDirFixture.BEST, Exporter.Target.GPTQMODEL, out.toString(), true);
        JsonNode dyn = new ObjectMapper().readTree(out.toFile()).get("dynamic");
        assertTrue(dyn.get("-:^model\\.layers\\.1\\.mlp\\.down_proj$").isEmpty(), "F16 module excluded with an empty rule");
        JsonNode q8 = dyn.get("+:^model\\.layers\\.1\\.self_attn\\.k_proj$");
        assertEquals(8, q8.get("bits").asInt());
        assertEquals(32, q8.get("group_size").asInt());
        assertTrue(q8.get("sym").asBoolean());
        // exclusions come first, as GPTQModel orders them
        assertTrue(dyn.fieldNames().next().startsWith("-:"));
        assertTrue(r.warnings().stream().noneMatch(w -> w.startsWith("token_embd")), "F16 embedding needs no approximation");

        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Exporter.export(dir.toString(), SearchDirFixture.MIDDLE, Exporter.Target.GPTQMODEL, tmp.resolve("x.json").toString(), false));
        assertTrue(e.getMessage().contains("--nearest"), e.getMessage());
    }

    @Test
    void gptqModelPerChannelGroupsAndNearestBitWidths() {
        Map<String, String> c = SearchDirFixture.choices("int8gC", Map.of("token_embd.weight", "F16", "blk.0.attn_q.weight", "Q6_K",
                "blk.0.attn_k.weight", "int3g128a"));
        GptqModelExport.Plan p = GptqModelExport.plan("front.json", c, true);
        assertEquals(new GptqModelExport.Setting(8, -1, true), p.modules().get("model.layers.1.mlp.up_proj"));
        assertEquals(new GptqModelExport.Setting(8, 16, true), p.modules().get("model.layers.0.self_attn.q_proj"), "6 bits: tie of 4 and 8 goes to 8");
        assertEquals(new GptqModelExport.Setting(3, 128, false), p.modules().get("model.layers.0.self_attn.k_proj"));
        assertTrue(p.warnings().stream().anyMatch(w -> w.contains("vLLM fuses")), "q/k/v differ within layer 0");
        assertEquals(2, GptqModelExport.nearestBits(1));
        assertEquals(4, GptqModelExport.nearestBits(5));
        assertEquals(8, GptqModelExport.nearestBits(7));
    }

    @Test
    void yamlExportRoundTripsThroughChoicesFile() throws Exception {
        for (String id : List.of(SearchDirFixture.BEST, SearchDirFixture.MIDDLE, SearchDirFixture.SMALL)) {
            Path out = tmp.resolve(id + ".yaml");
            Exporter.Result r = Exporter.export(dir.toString(), id, Exporter.Target.YAML, out.toString(), false);
            Map<String, TensorChoice> back = ChoicesFile.load(out.toString(), SearchDirFixture.ARCH);
            Map<String, TensorChoice> expected = new LinkedHashMap<>();
            SearchDirFixture.choicesOf(id).forEach((k, v) -> expected.put(k, TensorChoice.parse(v)));
            assertEquals(expected, back, id);
            assertTrue(r.command().startsWith("edgefront eval --model " + tmp.resolve("fixture.bin") + " --tokenizer models/tok.bin"), r.command());
        }
    }

    @Test
    void unknownPointIdNamesFrontJsonAndPointAndListsValidIds() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Exporter.export(dir.toString(), "nope", Exporter.Target.YAML, tmp.resolve("n.yaml").toString(), false));
        assertTrue(e.file().endsWith("front.json"), e.file());
        assertEquals("--point", e.field());
        assertTrue(e.getMessage().contains(SearchDirFixture.BEST) && e.getMessage().contains(SearchDirFixture.SMALL), e.getMessage());
        assertThrows(InvalidInputException.class, () -> Exporter.Target.parse("onnx"));
    }

    @Test
    void exportCommandPrintsOneJsonObjectAndWarningsOnStderr() throws Exception {
        Path out = tmp.resolve("cmd.txt");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        int code;
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            code = new CommandLine(new ExportCommand()).execute(dir.toString(), "--point", SearchDirFixture.SMALL, "--to", "llama-cpp",
                    "--out", out.toString(), "--nearest", "--json");
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        assertEquals(0, code);
        JsonNode n = new ObjectMapper().readTree(stdout.toString(StandardCharsets.UTF_8));
        assertEquals(out.toString(), n.get("out").asText());
        assertEquals("llama-cpp", n.get("format").asText());
        assertTrue(n.get("command").asText().startsWith("llama-quantize "));
        assertTrue(n.get("warnings").size() >= 4, n.toString());
        assertEquals(n.get("warnings").size(), stderr.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("warning: ")).count());
    }
}
