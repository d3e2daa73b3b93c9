package org.edgefront.nativert.tools;

import org.edgefront.nativert.device.ModelDescriptors;
import org.edgefront.nativert.reference.MemoryModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
    void aFileTypeWithAnImportanceMatrixRoundsEveryTensorTheMatrixCoversWithIt() {
        ModelArchitecture tied = qwen3();
        Map<String, TensorChoice> plain = FormatMixes.resolve(tied, "Q4_K_M");
        Map<String, TensorChoice> weighted = FormatMixes.resolve(tied, "Q4_K_M+imatrix");
        for (Map.Entry<String, TensorChoice> e : weighted.entrySet()) {
            assertEquals(plain.get(e.getKey()).format(), e.getValue().format(), e.getKey() + ": the same types as without");
            assertEquals(TensorChoice.importanceWeightable(e.getValue().format()), e.getValue().importanceWeighted(), e.getKey());
        }
        assertEquals("Q6_K+imatrix", weighted.get("token_embd.weight").label(), "tied: the LM head's matrix has an entry");
        // an untied embedding is a row lookup, which an importance matrix has no entry for
        ModelArchitecture untied = ModelDescriptors.load("../configs/models/llama-2-7b.yaml").architecture();
        Map<String, TensorChoice> q40 = FormatMixes.resolve(untied, "Q4_0+imatrix");
        assertEquals("Q4_0", q40.get("token_embd.weight").label());
        assertEquals("Q6_K+imatrix", q40.get("output.weight").label());
        assertEquals("Q4_0+imatrix", q40.get("blk.10.ffn_down.weight").label());
        assertEquals("Q4_1+imatrix", q40.get("blk.3.ffn_down.weight").label(), "with a matrix, the first eighth of the layers get Q4_1");
        // Q8_0's quantizer ignores a matrix, as llama.cpp's does
        assertEquals("Q8_0", FormatMixes.resolve(untied, "Q8_0+imatrix").get("blk.3.ffn_down.weight").label());
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
    void fileTypesFollowLlamaCppsRulesForGroupedQueryAttentionAndTheLowestBitTypes() {
        // Llama-3.2-1B: 16 layers, 32 query / 8 kv heads (n_gqa 4), tied embeddings, width 2048, FFN 8192
        ModelArchitecture a = ModelDescriptors.load("../configs/models/llama-3.2-1b.yaml").architecture();
        Map<String, TensorChoice> q3s = FormatMixes.resolve(a, "Q3_K_S");
        assertEquals(WeightFormat.Q3_K, q3s.get("blk.5.attn_v.weight").format());
        assertEquals(WeightFormat.Q3_K, q3s.get("blk.0.ffn_down.weight").format());
        assertEquals(WeightFormat.Q6_K, q3s.get("token_embd.weight").format()); // tied: the output rule
        Map<String, TensorChoice> iq2 = FormatMixes.resolve(a, "IQ2_XXS");
        assertEquals(WeightFormat.Q4_K, iq2.get("blk.9.attn_v.weight").format()); // n_gqa >= 4
        assertEquals(WeightFormat.Q2_K, iq2.get("blk.1.ffn_down.weight").format()); // first eighth of the layers
        assertEquals(WeightFormat.parse("IQ2_XXS"), iq2.get("blk.2.ffn_down.weight").format());
        assertEquals(WeightFormat.Q5_K, iq2.get("token_embd.weight").format()); // tied: the output rule of the lowest-bit files
        // llama.cpp's IQ2_S file stores IQ2_XS tensors; uniform: asks for one format everywhere
        assertEquals(WeightFormat.parse("IQ2_XS"), FormatMixes.resolve(a, "IQ2_S").get("blk.3.attn_q.weight").format());
        assertEquals(WeightFormat.parse("IQ2_S"), FormatMixes.resolve(a, "uniform:IQ2_S").get("blk.3.attn_v.weight").format());
        Map<String, TensorChoice> tq = FormatMixes.resolve(a, "TQ1_0");
        assertEquals(WeightFormat.parse("TQ1_0"), tq.get("blk.3.ffn_up.weight").format());
        assertEquals(WeightFormat.Q6_K, tq.get("token_embd.weight").format());
    }

    @Test
    void aFileTypeNamedInsideALongerLabelResolvesAndRowsThatAreNotWholeBlocksFallBack() {
        ModelArchitecture a = qwen3();
        assertEquals(FormatMixes.resolve(a, "Q3_K_L"), FormatMixes.resolve(a, "GGUF Q3_K_L (1.1 GB)"));
        // stories-sized rows of 288 are not whole 256-blocks: Q4_K falls back to Q5_0, the Q6_K output to Q8_0
        ModelArchitecture s = ModelArchitecture.llama("w288", 288, 768, 6, 6, 6, 32000, 256, false, 1e-5, 10000, true);
        Map<String, TensorChoice> m = FormatMixes.resolve(s, "Q4_K_S");
        assertEquals(WeightFormat.Q5_0, m.get("blk.3.attn_q.weight").format());
        assertEquals(WeightFormat.Q8_0, m.get("output.weight").format());
        assertEquals(WeightFormat.Q4_K, m.get("blk.3.ffn_down.weight").format()); // rows of 768 are whole blocks
        assertEquals(WeightFormat.Q5_1, m.get("blk.3.attn_v.weight").format()); // Q4_K_S raises attn_v of layers 0-3 to Q5_K, which falls back
    }

    @Test
    void mlcFasterTransformerStoresLinearLayersPerChannelAndFallsBackToGroup32ForEmbeddingAndHead() {
        // ft_quantization.py: nn.Linear -> FTQuantizeLinear (one fp16 scale per output channel); nn.Embedding and the final
        // projection -> fallback_group_quantize (4-bit, group 32)
        Map<String, TensorChoice> m = FormatMixes.resolve(ModelDescriptors.load("../configs/models/llama-3.1-8b.yaml").architecture(), "q4f16_ft");
        assertEquals(WeightFormat.parse("int4gC"), m.get("blk.1.ffn_up.weight").format());
        assertEquals(WeightFormat.parse("int4gC"), m.get("blk.1.attn_q.weight").format());
        assertEquals(WeightFormat.parse("int4g32"), m.get("token_embd.weight").format());
        assertEquals(WeightFormat.parse("int4g32"), m.get("output.weight").format());
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
    void mxfp4FilesStoreTheExpertTensorsInMxfp4AndEveryOtherTensorInQ8_0() {
        // llama.cpp's MXFP4_MOE (gpt-oss's GGUFs, "MXFP4" or "MXFP4 MoE"): 3-D expert tensors MXFP4, the rest Q8_0
        org.edgefront.nativert.device.ModelDescriptor oss = ModelDescriptors.load("../configs/models/gpt-oss-20b.yaml");
        ModelArchitecture stored = oss.storedArchitecture();
        Map<String, TensorChoice> m = FormatMixes.resolve(stored, "MXFP4", oss.experts());
        WeightFormat mx = WeightFormat.parse("MXFP4"), q8 = WeightFormat.parse("Q8_0");
        for (String t : new String[] {"blk.0.ffn_gate.weight", "blk.0.ffn_up.weight", "blk.23.ffn_down.weight"}) assertEquals(mx, m.get(t).format(), t);
        for (String t : new String[] {"blk.0.attn_q.weight", "blk.5.attn_v.weight", "token_embd.weight", "output.weight"}) {
            assertEquals(q8, m.get(t).format(), t);
        }
        assertEquals(m, FormatMixes.resolve(stored, "MXFP4 MoE", oss.experts()));
        assertEquals(m, FormatMixes.resolve(stored, "MXFP4_MOE", oss.experts()));
        // the bytes llama-bench prints for ggml-org/gpt-oss-20b-GGUF: 11.27 GiB (norms, biases and sinks are not held here)
        assertEquals(11.27, MemoryModel.weightBytes(stored, m) / (double) (1L << 30), 0.05);
        // a dense model has no expert tensor: llama-quantize's MXFP4_MOE stores it all in Q8_0; uniform: asks for MXFP4 everywhere
        ModelArchitecture a = qwen3();
        for (TensorChoice c : FormatMixes.resolve(a, "MXFP4").values()) assertEquals(q8, c.format());
        assertEquals(mx, FormatMixes.resolve(a, "uniform:MXFP4").get("blk.1.ffn_up.weight").format());
    }

    @Test
    void unknownFormatIsRejectedWithItsName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FormatMixes.resolve(qwen3(), "MLX safetensors 3-bit"));
        assertEquals("unsupported weight format 'MLX safetensors 3-bit'", e.getMessage());
    }

    @Test
    void otherSpellingsOfTheSameStoredFormatsResolveToThem() {
        ModelArchitecture a = qwen3();
        String up = "blk.1.ffn_up.weight";
        assertEquals(FormatMixes.resolve(a, "F16"), FormatMixes.resolve(a, "FP16"));
        assertEquals(FormatMixes.resolve(a, "F16"), FormatMixes.resolve(a, "q0f16"));
        assertEquals(FormatMixes.resolve(a, "BF16"), FormatMixes.resolve(a, "bfloat16"));
        // llama.cpp's removed Arm repack types store Q4_0's blocks
        assertEquals(FormatMixes.resolve(a, "Q4_0"), FormatMixes.resolve(a, "Q4_0_4_8"));
        // Unsloth's dynamic mixes are modelled as the "_M" mix of their K-quant
        assertEquals(FormatMixes.resolve(a, "Q4_K_M"), FormatMixes.resolve(a, "UD-Q4_K_XL"));
        assertEquals(FormatMixes.resolve(a, "IQ2_XXS"), FormatMixes.resolve(a, "UD-IQ2_XXS"));
        assertEquals(FormatMixes.resolve(a, "Q2_K"), FormatMixes.resolve(a, "UD-Q2_K_XL"), "llama.cpp has no Q2_K_M");
        assertEquals(FormatMixes.resolve(a, "IQ4_NL"), FormatMixes.resolve(a, "IQ4_NL_4_4"));
        assertEquals(FormatMixes.resolve(a, "Q6_K"), FormatMixes.resolve(a, "Q6"));
        assertEquals(FormatMixes.resolve(a, "4bit"), FormatMixes.resolve(a, "MLX 4bit"));
        assertEquals(FormatMixes.resolve(a, "8bit"), FormatMixes.resolve(a, "8bit-mlx"));
        // MLX's 6-bit (group 64, scale and bias) has the bytes of 6-bit group 32 with a scale
        assertEquals(WeightFormat.parse("int6g32"), FormatMixes.resolve(a, "MLX 6bit").get(up).format());
        assertEquals(WeightFormat.parse("int5g32"), FormatMixes.resolve(a, "INT5").get(up).format());
        // GPTQ/AWQ at the bits the label states (Qwen's "GPTQ-Int8" uploads), 4 when it states none
        assertEquals(WeightFormat.parse("int8g128a"), FormatMixes.resolve(a, "GPTQ-Int8").get(up).format());
        assertEquals(WeightFormat.parse("int4g128a"), FormatMixes.resolve(a, "gptq-int4").get(up).format());
        assertEquals(WeightFormat.parse("int4g128a"), FormatMixes.resolve(a, "AWQ").get(up).format());
        assertThrows(IllegalArgumentException.class, () -> FormatMixes.resolve(a, "Q5"), "Q5_0, Q5_1, Q5_K_S or Q5_K_M");
        // bartowski's "_L" files: the base file type with the embedding and the LM head in Q8_0; Q3_K_L is llama.cpp's own
        Map<String, TensorChoice> l4 = FormatMixes.resolve(a, "Q4_K_L"), m4 = FormatMixes.resolve(a, "Q4_K_M");
        for (String t : m4.keySet()) {
            boolean table = t.equals("token_embd.weight") || t.equals("output.weight");
            assertEquals(table ? WeightFormat.parse("Q8_0") : m4.get(t).format(), l4.get(t).format(), t);
        }
        assertEquals(WeightFormat.parse("Q8_0"), FormatMixes.resolve(a, "Llama-3.2-1B-Instruct-Q6_K_L.gguf").get("token_embd.weight").format());
        assertEquals(FormatMixes.resolve(a, "Q6_K").get(up), FormatMixes.resolve(a, "Q6_K_L").get(up));
        assertNotEquals(FormatMixes.resolve(a, "Q3_K_M"), FormatMixes.resolve(a, "Q3_K_L"), "Q3_K_L is llama.cpp's own file type");
        // IPEX-LLM's names are ggml's block formats
        assertEquals(FormatMixes.resolve(a, "Q4_0"), FormatMixes.resolve(a, "sym_int4"));
        assertEquals(FormatMixes.resolve(a, "Q4_1"), FormatMixes.resolve(a, "asym_int4"));
        // AI Hub wNaM and ExecuTorch's QNN MaNw: N-bit per-channel weights, 8-bit embedding and LM head
        Map<String, TensorChoice> w8 = FormatMixes.resolve(a, "w8a16");
        assertEquals(WeightFormat.parse("int8gC"), w8.get(up).format());
        Map<String, TensorChoice> et = FormatMixes.resolve(a, "16a4w");
        assertEquals(WeightFormat.parse("int4gC"), et.get(up).format());
        assertEquals(WeightFormat.parse("int8gC"), et.get("token_embd.weight").format());
        assertEquals(FormatMixes.resolve(a, "w4a16"), et);
        // MLC: q3f16_1 is 3-bit in groups of 40; q4f32_1's fp32 scale takes the bytes of an fp16 scale and zero
        assertEquals(WeightFormat.parse("int3g40"), FormatMixes.resolve(a, "q3f16_1").get(up).format());
        assertEquals(WeightFormat.parse("int4g32a"), FormatMixes.resolve(a, "q4f32_1").get(up).format());
        assertEquals(20, WeightFormat.parse("int4g32a").blockBytes(), "16 bytes of codes + a 4-byte scale, as MLC stores");
        assertEquals(WeightFormat.parse("int4g128a"), FormatMixes.resolve(a, "INT4 AWQ").get(up).format());
        assertEquals(WeightFormat.parse("int4g32"), FormatMixes.resolve(a, "4bit").get(up).format());
        assertEquals(WeightFormat.parse("int4gC"), FormatMixes.resolve(a, "4-bit per-channel").get(up).format());
        assertEquals(WeightFormat.parse("int8gC"), FormatMixes.resolve(a, "INT8").get(up).format());
        // a label nobody defines is still refused by name
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FormatMixes.resolve(a, "e4m3_e4m3_f16"));
        assertEquals("unsupported weight format 'e4m3_e4m3_f16'", e.getMessage());
    }
}
