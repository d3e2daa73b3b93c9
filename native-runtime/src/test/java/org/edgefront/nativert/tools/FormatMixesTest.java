package org.edgefront.nativert.tools;

import org.edgefront.nativert.device.ModelDescriptors;
import org.edgefront.nativert.reference.MemoryModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.model.ModelArchitecture;
import org.junit.jupiter.api.Test;

class FormatMixesTest {
    private static ModelArchitecture qwen3() {
        return ModelDescriptors.load("../configs/models/qwen3-1.7b.yaml").architecture();
    }

    @Test
    void llamaCppMixesLandNearThePublishedFileSizes() {
        // pocketpal-ai weights buffers for Qwen3-1.7B (on-device-measurements.csv notes): MiB per file type
        ModelArchitecture a = qwen3();
        Map<String, Double> publishedMiB = Map.of("Q2_K", 833.46, "Q3_K_M", 1017.85);
        for (String f : new String[] {"Q2_K", "Q3_K_M"}) {
            double mib = MemoryModel.weightBytes(a, FormatMixes.resolve(a, f)) / 1048576.0;
            // within 15%: the mix rules approximate llama.cpp's, and the published buffer also holds norms
            assertEquals(publishedMiB.get(f), mib, 0.15 * publishedMiB.get(f), f);
        }
    }

    @Test
    void q4KMediumRaisesValueAndDownProjectionsOnSomeLayersOnly() {
        ModelArchitecture a = qwen3();
        Map<String, TensorChoice> m = FormatMixes.resolve(a, "Q4_K_M");
        assertEquals(WeightFormat.Q6_K, m.get("blk.0.attn_v.weight").format());
        assertEquals(WeightFormat.Q4_K, m.get("blk.4.attn_v.weight").format());
        assertEquals(WeightFormat.Q4_K, m.get("blk.4.attn_q.weight").format());
        assertEquals(WeightFormat.Q6_K, m.get("token_embd.weight").format()); // tied: serves as output
    }

    @Test
    void otherEnginesSchemesResolveByName() {
        ModelArchitecture a = qwen3();
        assertEquals(WeightFormat.parse("int4g32"), FormatMixes.resolve(a, "INT4 (MLC 4-bit weight quantization)").get("blk.1.ffn_up.weight").format());
        assertEquals(WeightFormat.parse("int4g256"), FormatMixes.resolve(a, "8da4w g256 (INT4 group-wise)").get("blk.1.ffn_up.weight").format());
        assertEquals(WeightFormat.parse("int2g128"), FormatMixes.resolve(a, "T-MAC INT2 group-wise (W2)").get("blk.1.ffn_up.weight").format());
        assertEquals(WeightFormat.parse("int4g64"), FormatMixes.resolve(a, "int4g64").get("blk.1.ffn_up.weight").format());
        assertEquals(WeightFormat.parse("int4g32"), FormatMixes.resolve(a, "MLC q4f16_0").get("blk.1.ffn_up.weight").format());
    }

    @Test
    void executorchLabelsCarryTheirGroupSizeAndEightBitEmbeddingAndOutput() {
        ModelArchitecture a = ModelDescriptors.load("../configs/models/llama-3.2-1b.yaml").architecture();
        Map<String, TensorChoice> spin = FormatMixes.resolve(a,
                "8da4w g32 (SpinQuant: INT4 group-wise g32 weights; output layer 8da8w per-channel; embedding 8-bit per-channel)");
        assertEquals(WeightFormat.parse("int4g32"), spin.get("blk.3.ffn_down.weight").format());
        assertEquals(WeightFormat.parse("int8gC"), spin.get("token_embd.weight").format()); // tied: serves as the 8da8w output
        Map<String, TensorChoice> ptq = FormatMixes.resolve(a, "8da4w g256 (INT4 group-wise weights; embedding 4-bit g32)");
        assertEquals(WeightFormat.parse("int4g256"), ptq.get("blk.3.ffn_down.weight").format());
        assertEquals(WeightFormat.parse("int4g256"), ptq.get("token_embd.weight").format());
        assertEquals(WeightFormat.parse("int4g128"), FormatMixes.resolve(a, "8da4w").get("blk.3.ffn_down.weight").format());
    }

    @Test
    void unknownFormatIsRejectedWithItsName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FormatMixes.resolve(qwen3(), "MLX safetensors 3-bit"));
        assertEquals("unsupported weight format 'MLX safetensors 3-bit'", e.getMessage());
    }
}
