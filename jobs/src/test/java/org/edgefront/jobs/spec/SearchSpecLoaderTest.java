package org.edgefront.jobs.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import org.edgefront.jobs.run.SearchEvaluators;
import org.edgefront.nativert.calibration.EngineCalibrations;
import org.edgefront.nativert.calibration.EngineGroup;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.edgefront.jobs.TestPaths;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchSpecLoaderTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path p = dir.resolve("spec.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    private String base() {
        return "schemaVersion: 1\nname: t\nmodel: {source: 'synthetic:tiny'}\ndevice: " + TestPaths.device("samsung-galaxy-s23") + "\n";
    }

    private InvalidInputException fails(String yaml) throws IOException {
        Path p = write(yaml);
        return assertThrows(InvalidInputException.class, () -> SearchSpecLoader.load(p.toString(), SearchSpecLoader.Overrides.NONE));
    }

    @Test
    void quickstartSpecResolvesWithDefaultsFilled() {
        ResolvedSearch r = SearchSpecLoader.load(TestPaths.root().resolve("configs/searches/quickstart.yaml").toString(),
                SearchSpecLoader.Overrides.NONE);
        assertTrue(r.architecture().synthetic());
        assertEquals(r.architecture().linearTensors().size(), r.space().dimensions());
        assertEquals(3, r.problem().objectives().size());
        assertEquals(2, r.problem().constraints().size());
        assertEquals(42L, r.seed());
    }

    @Test
    void unknownKeyIsRejectedWithItsName() throws IOException {
        InvalidInputException e = fails(base() + "strategy: {name: nsga2, sed: 3}\n");
        assertTrue(e.field().contains("strategy"), e.getMessage());
        assertTrue(e.getMessage().contains("sed"), e.getMessage());
    }

    @Test
    void wrongTypeNamesTheKey() throws IOException {
        InvalidInputException e = fails(base() + "strategy: {populationSize: lots}\n");
        assertEquals("strategy.populationSize", e.field());
    }

    @Test
    void notYamlIsRejected() throws IOException {
        InvalidInputException e = fails("schemaVersion: [1\n  name: : :\n");
        assertTrue(e.file().endsWith("spec.yaml"));
    }

    @Test
    void missingSchemaVersionIsRejected() throws IOException {
        assertEquals("schemaVersion", fails("name: t\n").field());
    }

    @Test
    void unknownFormatOptionNamesTheListEntry() throws IOException {
        InvalidInputException e = fails(base() + "space: {options: [Q4_0, Q9_9]}\n");
        assertEquals("space.options[1]", e.field());
    }

    @Test
    void negativeBudgetIsRejected() throws IOException {
        assertEquals("budgets.memory_bytes.atMost", fails(base() + "budgets: {memory_bytes: {atMost: -5}}\n").field());
    }

    @Test
    void budgetWithTwoBoundsIsRejected() throws IOException {
        assertEquals("budgets.memory_bytes", fails(base() + "budgets: {memory_bytes: {atMost: 5, shareOfDram: 0.1}}\n").field());
    }

    @Test
    void unknownObjectiveMetricIsRejected() throws IOException {
        assertEquals("objectives[1]", fails(base() + "objectives: [kl, speed]\n").field());
    }

    @Test
    void unknownStrategyIsRejected() throws IOException {
        assertEquals("strategy.name", fails(base() + "strategy: {name: annealing}\n").field());
    }

    @Test
    void contextSmallerThanPromptPlusGenerationIsRejected() throws IOException {
        assertEquals("workload.contextTokens",
                fails(base() + "workload: {promptTokens: 400, generateTokens: 400, contextTokens: 512}\n").field());
    }

    @Test
    void theSearchCostsTheFittedCalibrationOfTheEngineItIsFor() throws IOException {
        ResolvedSearch llama = SearchSpecLoader.load(write(base()).toString(), SearchSpecLoader.Overrides.NONE);
        assertEquals("llama.cpp", llama.spec().workload().engine(), "the default engine is filled in the saved spec");
        assertEquals(EngineGroup.LLAMA_CPP_CPU, llama.engine().group());
        assertEquals(EngineCalibrations.fitted().get(EngineGroup.LLAMA_CPP_CPU), llama.engine().calibrations().cpu());
        ResolvedSearch mlc = SearchSpecLoader.load(write(base() + "workload: {backend: gpu, engine: MLC LLM}\n").toString(),
                SearchSpecLoader.Overrides.NONE);
        assertEquals(EngineGroup.MLC_OPENCL, mlc.engine().group(), "the S23's Adreno GPU: MLC's OpenCL kernels");
        ResolvedSearch gpu = SearchSpecLoader.load(write(base() + "workload: {backend: gpu}\n").toString(),
                SearchSpecLoader.Overrides.NONE);
        assertEquals(EngineGroup.LLAMA_CPP_OPENCL, gpu.engine().group());
        // the device evaluator's version names the calibration, so a resumed run never mixes two engines' numbers
        try (org.edgefront.evaluators.Evaluator d = SearchEvaluators.cheapFactories(gpu).get(1).create()) {
            assertTrue(d.version().contains("llama.cpp-opencl"), d.version());
        }
        InvalidInputException e = fails(base() + "workload: {engine: MLC LLM}\n");
        assertEquals("workload.engine", e.field());
        assertTrue(e.getMessage().contains("'MLC LLM'") && e.getMessage().contains("gpu"), e.getMessage());
        // points stored for llama.cpp are costed with llama.cpp (or a front end of it), never another engine
        InvalidInputException other = fails(base() + "workload: {backend: gpu, engine: MLC LLM}\nspace: {runtime: llama.cpp}\n");
        assertEquals("workload.engine", other.field());
        assertTrue(other.getMessage().contains("space.runtime"), other.getMessage());
        assertEquals(EngineGroup.LLAMA_CPP_CPU, SearchSpecLoader.load(write(base() + "workload: {engine: Ollama}\nspace: {runtime: llama.cpp}\n")
                .toString(), SearchSpecLoader.Overrides.NONE).engine().group());
    }

    @Test
    void missingDeviceFileIsRejected() throws IOException {
        InvalidInputException e = fails("schemaVersion: 1\nmodel: {source: 'synthetic:tiny'}\ndevice: nowhere.yaml\n");
        assertTrue(e.getMessage().contains("nowhere.yaml"), e.getMessage());
    }

    @Test
    void aDeviceNamedByItsProfileNameResolvesToThatProfileFile() throws IOException {
        Path p = write("schemaVersion: 1\nname: t\nmodel: {source: 'synthetic:tiny'}\ndevice: Samsung Galaxy S23\n");
        ResolvedSearch r = SearchSpecLoader.load(p.toString(), SearchSpecLoader.Overrides.NONE);
        assertTrue(r.deviceUri().endsWith("samsung-galaxy-s23.yaml"), r.deviceUri());
        InvalidInputException e = fails("schemaVersion: 1\nmodel: {source: 'synthetic:tiny'}\ndevice: Nokia 3310\n");
        assertEquals("device", e.field());
        assertTrue(e.getMessage().contains("closest"), e.getMessage());
    }

    @Test
    void realModelWithoutTextIsRejected() throws IOException {
        InvalidInputException e = fails("schemaVersion: 1\nmodel: {source: " + TestPaths.shared().resolve("models/stories260K.bin")
                + "}\ndevice: " + TestPaths.device("samsung-galaxy-s23") + "\n");
        assertEquals("model.tokenizer", e.field());
    }

    @Test
    void tensorOptionGlobMustMatchSomeTensor() throws IOException {
        assertEquals("space.tensorOptions.blk.*.nothing.weight",
                fails(base() + "space: {tensorOptions: {'blk.*.nothing.weight': [F16]}}\n").field());
    }

    @Test
    void tensorOptionGlobOverridesMatchingTensors() throws IOException {
        Path p = write(base() + "space: {options: [Q4_0, int3g32], tensorOptions: {'token_embd.weight': [F16, Q8_0, Q4_0]}}\n");
        ResolvedSearch r = SearchSpecLoader.load(p.toString(), SearchSpecLoader.Overrides.NONE);
        assertEquals(3, r.space().decisions().get(0).options().size());
        assertEquals(2, r.space().decisions().get(1).options().size());
    }

    @Test
    void llamaCppRuntimeNarrowsTheDefaultOptionsToWhatLlamaQuantizeStores() throws IOException {
        Path p = write(base() + "space: {runtime: llama.cpp}\n");
        ResolvedSearch r = SearchSpecLoader.load(p.toString(), SearchSpecLoader.Overrides.NONE);
        for (var d : r.space().decisions()) {
            assertEquals(List.of("F16", "Q8_0", "Q5_0", "Q4_0"), d.options().stream().map(TensorChoice::label).toList());
        }
    }

    @Test
    void llamaCppRuntimeRefusesAListedOptionItCannotStoreNamingIt() throws IOException {
        InvalidInputException e = fails(base() + "space: {runtime: llama.cpp, options: [Q4_K, Q8_0, int4g32]}\n");
        assertEquals("space.options[2]", e.field());
        assertTrue(e.getMessage().contains("int4g32") && e.getMessage().contains("another quantizer"), e.getMessage());
        e = fails(base() + "space: {runtime: llama.cpp, options: [Q4_K], tensorOptions: {'token_embd.weight': [Q8_0+2:4]}}\n");
        assertEquals("space.tensorOptions.token_embd.weight[0]", e.field());
        assertEquals("space.runtime", fails(base() + "space: {runtime: onnx}\n").field());
    }

    @Test
    void qkvGroupingSharesOneDecisionPerLayer() throws IOException {
        Path p = write(base() + "space: {grouping: qkv}\n");
        ResolvedSearch r = SearchSpecLoader.load(p.toString(), SearchSpecLoader.Overrides.NONE);
        int layers = r.architecture().layers();
        assertEquals(r.architecture().linearTensors().size() - 2 * layers, r.space().dimensions());
    }

    @Test
    void phi3GateAndUpShareOneDecisionSoEveryPointExports() throws IOException {
        // llama.cpp's phi3 loader takes gate | up only as one ffn_up tensor of one type
        String phi3 = "schemaVersion: 1\nname: t\nmodel: {source: 'synthetic:phi3mini'}\n"
                + "device: " + TestPaths.device("samsung-galaxy-s23") + "\n";
        ResolvedSearch r = SearchSpecLoader.load(write(phi3).toString(), SearchSpecLoader.Overrides.NONE);
        int layers = r.architecture().layers();
        assertEquals(r.architecture().linearTensors().size() - layers, r.space().dimensions());
        org.edgefront.space.candidate.Decision d = r.space().decisions().stream().filter(x -> x.name().equals("blk.1.ffn_gate_up")).findFirst().orElseThrow();
        assertEquals(List.of("blk.1.ffn_gate.weight", "blk.1.ffn_up.weight"), d.tensors());
        InvalidInputException e = fails(phi3 + "space: {tensorOptions: {'blk.0.ffn_gate.weight': [Q8_0]}}\n");
        assertEquals("space.tensorOptions", e.field());
        assertTrue(e.getMessage().contains("blk.0.ffn_up.weight"), e.getMessage());
    }

    @Test
    void gptqOptionsNeedRealCalibrationText() throws IOException {
        assertEquals("quality.calibrationParagraphs", fails(base() + "space: {options: [Q4_0, Q4_0+gptq]}\n").field());
    }

    @Test
    void gptqOptionsWithCalibrationResolveOnARealModel() throws IOException {
        Path p = write("schemaVersion: 1\nmodel: {source: " + TestPaths.shared().resolve("models/stories260K.bin")
                + ", tokenizer: " + TestPaths.shared().resolve("models/tok512.bin") + ", text: " + TestPaths.shared().resolve("models/tinystories_val.txt")
                + "}\ndevice: " + TestPaths.device("samsung-galaxy-s23") + "\nspace: {options: [Q4_0, Q4_0+gptq]}\n"
                + "quality: {paragraphs: 8, calibrationParagraphs: 16}\n");
        ResolvedSearch r = SearchSpecLoader.load(p.toString(), SearchSpecLoader.Overrides.NONE);
        assertEquals(16, r.calibrationParagraphs());
        assertTrue(r.space().decisions().get(1).options().get(1).errorCompensated());
    }

    private String stories() {
        return "schemaVersion: 1\nmodel: {source: " + TestPaths.shared().resolve("models/stories260K.bin")
                + ", tokenizer: " + TestPaths.shared().resolve("models/tok512.bin") + ", text: " + TestPaths.shared().resolve("models/tinystories_val.txt")
                + "}\ndevice: " + TestPaths.device("samsung-galaxy-s23") + "\n";
    }

    @Test
    void structureLeversBecomeStructuralDecisionsWithTheUnprunedOptionFirst() throws IOException {
        Path p = write(stories() + "space: {options: [Q8_0, Q4_0], structure: {heads: [0.5], ffnChannels: [0.5, 0.75], dropLayers: true, vocabulary: [0.9]}}\n"
                + "quality: {paragraphs: 4, calibrationParagraphs: 4}\nobjectives: [kl, weight_bytes]\nbudgets: {dropped_mass: {atMost: 0.05}}\n");
        ResolvedSearch r = SearchSpecLoader.load(p.toString(), SearchSpecLoader.Overrides.NONE);
        int layers = r.architecture().layers();
        assertEquals(3 * layers + 1, r.space().structure().size());
        assertEquals(java.util.List.of(1.0, 0.75, 0.5), r.space().structure().get(1).keepRatios());
        assertEquals(r.architecture().linearTensors().size() + 3 * layers + 1, r.space().dimensions());
    }

    @Test
    void structureNeedsALeverCalibrationTextAndAMeasuredNonAdditiveSearch() throws IOException {
        assertEquals("space.structure", fails(base() + "space: {structure: {heads: [1.0]}}\n").field());
        assertEquals("space.structure.heads[0]", fails(base() + "space: {structure: {heads: [1.5]}}\n").field());
        assertEquals("space.structure.vocabulary[1]", fails(base() + "space: {structure: {vocabulary: [0.5, 0.5]}}\n").field());
        assertEquals("strategy.name", fails(base() + "space: {structure: {dropLayers: true}}\nstrategy: {name: evopress}\n").field());
        assertEquals("quality.calibrationParagraphs", fails(stories() + "space: {structure: {dropLayers: true}}\n").field());
        assertEquals("budgets.dropped_mass", fails(base() + "space: {structure: {dropLayers: true}}\nbudgets: {dropped_mass: {atMost: 0.1}}\n").field());
    }
}
