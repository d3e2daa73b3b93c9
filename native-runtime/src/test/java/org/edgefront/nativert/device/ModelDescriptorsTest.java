package org.edgefront.nativert.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.junit.jupiter.api.Test;

class ModelDescriptorsTest {

    @Test
    void llama2SevenBHasItsPublishedParameterCount() {
        ModelArchitecture a = ModelDescriptors.load("../configs/models/llama-2-7b.yaml").architecture();
        // 6.74 B parameters (linear tensors + norms), as published
        assertEquals(6.74e9, a.parameterCount(), 0.01e9);
        assertEquals(32 * 7 + 2, a.linearTensors().size());
    }

    @Test
    void everyDescriptorLoadsAndAliasesMatchCsvNames() {
        List<ModelDescriptor> all = ModelDescriptors.loadAll("../configs/models");
        assertTrue(all.size() >= 14);
        assertTrue(all.stream().anyMatch(m -> m.matches("Llama-3.2-3B-Instruct")));
        assertTrue(all.stream().anyMatch(m -> m.matches("phi-3.5-mini (3b)")));
    }

    @Test
    void tinyLlamaHasItsPublishedParameterCountAndMatchesTheEnergyCsvName() {
        ModelDescriptor d = ModelDescriptors.load("../configs/models/tinyllama-1.1b.yaml");
        ModelArchitecture a = d.architecture();
        // 1.10 B parameters: 22 x (2048 x (2048 + 2 x 256 + 2048) + 3 x 2048 x 5632) + 2 x 32000 x 2048 (untied) + norms
        assertEquals(1.10e9, a.parameterCount(), 0.005e9);
        assertEquals(256, a.tensor("blk.0.attn_k.weight").rows(), "4 KV heads of 64");
        assertTrue(d.matches("TinyLlama-1.1B (1t-openorca)"));
    }

    @Test
    void gemmaHeadShapeKeepsItsOwnHeadSize() {
        // Gemma-2-2B: 8 heads of 256 = 2048, not the hidden size 2304
        org.edgefront.space.model.ModelArchitecture a = ModelDescriptors.load("../configs/models/gemma-2-2b.yaml").architecture();
        assertEquals(256, a.headDim());
        assertEquals(2048, a.tensor("blk.0.attn_q.weight").rows());
        assertEquals(2048, a.tensor("blk.0.attn_output.weight").cols());
        assertEquals(1024, a.tensor("blk.0.attn_k.weight").rows());
    }

    @Test
    void unknownKeyInDescriptorIsRejected() {
        String y = "schemaVersion: 1\nname: x\nfamily: llama\nhiddenSize: 64\nintermediateSize: 128\nlayers: 2\nheads: 4\n"
                + "kvHeads: 2\nheadDim: 16\nvocabSize: 100\nmaxContextTokens: 256\ntiedEmbeddings: true\naliases: []\nrope: 1\n";
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelDescriptors.parse("m.yaml", y));
        assertEquals("rope", e.field());
    }

    @Test
    void gemma3nE2BHasGooglesEffectiveParameterCount() {
        // Google: Gemma 3n E2B runs "1.91B effective" parameters (the weights without the token and per-layer tables).
        // The checkpoint also stores K/V projections on its 10 KV-shared blocks (21 M) that no token reads; they are left out.
        ModelArchitecture a = ModelDescriptors.load("../configs/models/gemma-3n-e2b.yaml").architecture();
        long tables = a.tensor("token_embd.weight").parameterCount() + a.tensor(LayerGeometry.PER_LAYER_TABLE).parameterCount();
        assertEquals(1.91e9 - 10 * 2 * 512 * 2048, a.linearParameterCount() - tables, 0.02e9);
        assertEquals(64, a.tensor("blk.29.laurel_l.weight").rows());
        assertEquals(3 * 2048, a.tensor("altup_proj.weight").rows(), "three AltUp streams beside the one the blocks run");
    }

    @Test
    void perLayerGeometryErrorsNameTheField() {
        String head = "schemaVersion: 1\nname: x\nfamily: llama\nhiddenSize: 64\nintermediateSize: 128\nlayers: 2\nheads: 4\n"
                + "kvHeads: 2\nheadDim: 16\nvocabSize: 100\nmaxContextTokens: 256\ntiedEmbeddings: true\naliases: []\n";
        InvalidInputException count = assertThrows(InvalidInputException.class,
                () -> ModelDescriptors.parse("m.yaml", head + "perLayer:\n  intermediateSizes: [128, 128, 128]\n"));
        assertEquals("perLayer.intermediateSizes", count.field());
        InvalidInputException shared = assertThrows(InvalidInputException.class,
                () -> ModelDescriptors.parse("m.yaml", head + "perLayer:\n  intermediateSizes: [128, 256]\n  kvSharedLayers: 2\n"));
        assertEquals("perLayer.kvSharedLayers", shared.field());
        InvalidInputException width = assertThrows(InvalidInputException.class,
                () -> ModelDescriptors.parse("m.yaml", head + "perLayer:\n  intermediateSizes: [128, 0]\n"));
        assertEquals("perLayer.intermediateSizes[1]", width.field());
        InvalidInputException twice = assertThrows(InvalidInputException.class,
                () -> ModelDescriptors.parse("m.yaml", head + "perLayer:\n  intermediateSizes: [128, 256]\n  globalLayers: [1, 1]\n  globalHeadDim: 32\n"));
        assertEquals("perLayer", twice.field());
        assertTrue(twice.getMessage().contains("globalLayers"), twice.getMessage());
        ModelDescriptor ok = ModelDescriptors.parse("m.yaml", head + "perLayer:\n  intermediateSizes: [128, 256]\n  kvSharedLayers: 1\n");
        assertEquals(256, ok.architecture().tensor("blk.1.ffn_down.weight").cols());
        assertEquals(null, ok.architecture().linearTensors().stream().filter(t -> t.name().equals("blk.1.attn_k.weight")).findAny().orElse(null),
                "a KV-shared block has no K projection");
    }

    @Test
    void hybridBlocksInADescriptorAreCheckedAndNamedInErrors() {
        String head = "schemaVersion: 1\nname: x\nfamily: llama\nhiddenSize: 64\nintermediateSize: 128\nlayers: 2\nheads: 4\n"
                + "kvHeads: 2\nheadDim: 16\nvocabSize: 100\nmaxContextTokens: 256\ntiedEmbeddings: true\naliases: []\n";
        ModelDescriptor ok = ModelDescriptors.parse("m.yaml", head + "perLayer:\n  blockKinds: [conv, full_attention]\n  shortConvKernel: 3\n");
        assertEquals(List.of(BlockKind.SHORT_CONV, BlockKind.ATTENTION), ok.geometry().blockKinds());
        assertEquals(128, ok.architecture().tensor("blk.0.ffn_up.weight").rows(), "no widths: intermediateSize for every block");
        assertEquals(3 * 64, ok.architecture().tensor("blk.0.shortconv.in_proj.weight").rows());
        assertTrue(ok.architecture().linearTensors().stream().noneMatch(t -> t.name().equals("blk.0.attn_q.weight")), "a convolution block has no q");
        assertEquals("perLayer.blockKinds", assertThrows(InvalidInputException.class,
                () -> ModelDescriptors.parse("m.yaml", head + "perLayer:\n  blockKinds: [conv]\n  shortConvKernel: 3\n")).field());
        assertEquals("perLayer.blockKinds[1]", assertThrows(InvalidInputException.class,
                () -> ModelDescriptors.parse("m.yaml", head + "perLayer:\n  blockKinds: [conv, mamba]\n  shortConvKernel: 3\n")).field());
        InvalidInputException noShape = assertThrows(InvalidInputException.class,
                () -> ModelDescriptors.parse("m.yaml", head + "perLayer:\n  blockKinds: [linear_attention, full_attention]\n"));
        assertEquals("perLayer", noShape.field());
        assertTrue(noShape.getMessage().contains("gatedDeltaNet"), noShape.getMessage());
        assertEquals("perLayer.linearAttention.valueHeads", assertThrows(InvalidInputException.class,
                () -> ModelDescriptors.parse("m.yaml", head + "perLayer:\n  blockKinds: [linear_attention, full_attention]\n  linearAttention:\n"
                        + "    keyHeads: 4\n    valueHeads: 6\n    keyHeadDim: 16\n    valueHeadDim: 16\n    convKernel: 4\n")).field());
        assertEquals("perLayer.shortConvKernel", assertThrows(InvalidInputException.class,
                () -> ModelDescriptors.parse("m.yaml", head + "perLayer:\n  blockKinds: [conv, full_attention]\n  shortConvKernel: 1\n")).field());
        // a KV-shared block must attend
        InvalidInputException shared = assertThrows(InvalidInputException.class,
                () -> ModelDescriptors.parse("m.yaml", head + "perLayer:\n  blockKinds: [full_attention, conv]\n  shortConvKernel: 3\n  kvSharedLayers: 1\n"));
        assertTrue(shared.getMessage().contains("kvSharedLayers"), shared.getMessage());
    }
}
