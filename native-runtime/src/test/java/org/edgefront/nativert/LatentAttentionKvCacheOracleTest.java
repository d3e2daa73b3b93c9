package org.edgefront.nativert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgefront.nativert.calibration.Calibrations;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.DeviceProfiles;
import org.edgefront.nativert.device.ModelDescriptor;
import org.edgefront.nativert.device.Workload;
import org.edgefront.nativert.tools.FormatMixesLlamaCppTest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real llama.cpp as the oracle of the simulator's latent cache: a tiny {@code deepseek2} GGUF converted for MLA (two
 * blocks, the first dense, the second four experts and a shared one; 4 heads; latent 64 plus a 16-wide rotary key; the
 * data a hole of zeros, the vocabulary llama.cpp's dummy one) is loaded by {@code llama-bench -v} at a depth of 1023, and
 * the cache it builds is read from its log. Its K buffer must be the latent rows EdgeFront's descriptor of the same file
 * caches (kv_lora_rank + qk_rope_head_dim per position and block), and its V buffer empty: the values are a view of the
 * latent. A legacy file (the heads' own widths and an unsplit {@code attn_kv_b}) makes llama.cpp cache every head's keys
 * and values, and the simulator too.
 */
@Tag("llamacpp")
class LatentAttentionKvCacheOracleTest {
    private static final Pattern CACHE = Pattern.compile(
            "llama_kv_cache: size =\\s*([0-9.]+) MiB \\(\\s*(\\d+) cells,\\s*(\\d+) layers.*?K \\(f16\\):\\s*([0-9.]+) MiB, V \\(f16\\):\\s*([0-9.]+) MiB");

    @TempDir
    Path dir;

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void llamaCppCachesTheLatentRowsTheSimulatorHolds(boolean absorbed) throws Exception {
        Path bin = FormatMixesLlamaCppTest.bin();
        if (!Files.isExecutable(bin.resolve("llama-bench"))) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) fail("llama-bench not found in " + bin);
            Assumptions.abort("llama-bench not found in " + bin + " (run tools/llama-cpp/build.sh)");
        }
        int embd = 256, heads = 4, qLora = 64, kvLora = 64, rope = 16, nope = 32, v = 32, ff = 128, expertFf = 64, experts = 4, vocab = 256;
        String p = "deepseek2.";
        Map<String, Long> u32 = new LinkedHashMap<>();
        u32.put(p + "context_length", 4096L);
        u32.put(p + "embedding_length", (long) embd);
        u32.put(p + "block_count", 2L);
        u32.put(p + "feed_forward_length", (long) ff);
        LatentAttention la = new LatentAttention(qLora, kvLora, nope, rope, v, absorbed); // legacy: an unsplit attn_kv_b
        HeaderOnlyGguf.latentAttentionKeys(u32, la, heads);
        u32.put(p + "leading_dense_block_count", 1L);
        u32.put(p + "expert_count", (long) experts);
        u32.put(p + "expert_used_count", 2L);
        u32.put(p + "expert_shared_count", 1L);
        u32.put(p + "expert_feed_forward_length", (long) expertFf);
        u32.put(p + "vocab_size", (long) vocab);
        Map<String, String> strings = new LinkedHashMap<>();
        strings.put("general.architecture", "deepseek2");
        strings.put("tokenizer.ggml.model", "none");
        List<HeaderOnlyGguf.Tensor> t = new ArrayList<>();
        t.add(new HeaderOnlyGguf.Tensor("token_embd.weight", embd, vocab));
        t.add(new HeaderOnlyGguf.Tensor("output_norm.weight", embd));
        t.add(new HeaderOnlyGguf.Tensor("output.weight", embd, vocab));
        for (int l = 0; l < 2; l++) {
            String b = "blk." + l + ".";
            t.add(new HeaderOnlyGguf.Tensor(b + "attn_norm.weight", embd));
            t.add(new HeaderOnlyGguf.Tensor(b + "attn_q_a_norm.weight", qLora));
            t.add(new HeaderOnlyGguf.Tensor(b + "attn_kv_a_norm.weight", kvLora));
            t.add(new HeaderOnlyGguf.Tensor(b + "attn_q_a.weight", embd, qLora));
            t.add(new HeaderOnlyGguf.Tensor(b + "attn_q_b.weight", qLora, (long) heads * (nope + rope)));
            t.add(new HeaderOnlyGguf.Tensor(b + "attn_kv_a_mqa.weight", embd, kvLora + rope));
            if (absorbed) {
                t.add(new HeaderOnlyGguf.Tensor(b + "attn_k_b.weight", nope, kvLora, heads));
                t.add(new HeaderOnlyGguf.Tensor(b + "attn_v_b.weight", kvLora, v, heads));
            } else {
                t.add(new HeaderOnlyGguf.Tensor(b + "attn_kv_b.weight", kvLora, (long) heads * (nope + v)));
            }
            t.add(new HeaderOnlyGguf.Tensor(b + "attn_output.weight", (long) heads * v, embd));
            t.add(new HeaderOnlyGguf.Tensor(b + "ffn_norm.weight", embd));
            if (l == 0) {
                t.add(new HeaderOnlyGguf.Tensor(b + "ffn_gate.weight", embd, ff));
                t.add(new HeaderOnlyGguf.Tensor(b + "ffn_down.weight", ff, embd));
                t.add(new HeaderOnlyGguf.Tensor(b + "ffn_up.weight", embd, ff));
            } else {
                t.add(new HeaderOnlyGguf.Tensor(b + "ffn_gate_inp.weight", embd, experts));
                t.add(new HeaderOnlyGguf.Tensor(b + "ffn_gate_exps.weight", embd, expertFf, experts));
                t.add(new HeaderOnlyGguf.Tensor(b + "ffn_down_exps.weight", expertFf, embd, experts));
                t.add(new HeaderOnlyGguf.Tensor(b + "ffn_up_exps.weight", embd, expertFf, experts));
                t.add(new HeaderOnlyGguf.Tensor(b + "ffn_gate_shexp.weight", embd, expertFf));
                t.add(new HeaderOnlyGguf.Tensor(b + "ffn_down_shexp.weight", expertFf, embd));
                t.add(new HeaderOnlyGguf.Tensor(b + "ffn_up_shexp.weight", embd, expertFf));
            }
        }
        Path gguf = dir.resolve("deepseek2-tiny-" + absorbed + ".gguf");
        HeaderOnlyGguf.loadable(gguf, new HeaderOnlyGguf.Keys(strings, u32, Map.of(), Map.of(p + "attention.layer_norm_rms_epsilon", 1e-6f)), t);

        int depth = 1023; // with the one generated token, a context of 1024: llama.cpp's padding to 256 adds nothing
        Path log = dir.resolve("bench-" + absorbed + ".log");
        Process pr = new ProcessBuilder(bin.resolve("llama-bench").toString(), "-m", gguf.toString(), "-p", "0", "-n", "1", "-d",
                String.valueOf(depth), "-r", "1", "-t", "2", "-v").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!pr.waitFor(300, TimeUnit.SECONDS)) {
            pr.destroyForcibly();
            fail("llama-bench timed out");
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, pr.exitValue(), out);
        Matcher m = CACHE.matcher(out);
        assertTrue(m.find(), "llama-bench's log names the KV cache:\n" + out);
        long cells = Long.parseLong(m.group(2)), layers = Long.parseLong(m.group(3));
        double kMiB = Double.parseDouble(m.group(4)), vMiB = Double.parseDouble(m.group(5));

        ModelDescriptor d = ModelCatalog.load("../configs/models").resolve(gguf.toString());
        assertEquals(la, d.latent());
        Workload w = new Workload(depth, 1, depth + 1, 16, 2, Backend.CPU);
        DeviceProfile pi5 = DeviceProfiles.load("../configs/devices/raspberry-pi-5.yaml");
        long kv;
        try (NativeSimulator sim = new NativeSimulator(Calibrations.defaults())) {
            kv = ModelSimulation.simulate(sim, pi5, w, d, "F16").memory().kvCacheBytes();
        }
        System.out.printf("latent-cache oracle (%s): llama.cpp %d cells x %d layers, K %.2f MiB, V %.2f MiB; EdgeFront %d bytes (%.4f MiB)%n",
                absorbed ? "MLA" : "legacy", cells, layers, kMiB, vMiB, kv, kv / 1048576.0);
        assertEquals(1024, cells);
        assertEquals(2, layers);
        if (absorbed) {
            assertEquals(0.0, vMiB, "the values are a view of the latent: no V buffer");
            assertEquals(2L * 1024 * (kvLora + rope) * 2, kv);
        } else {
            // decompressed: every head's keys (nope + rope) and values
            assertEquals(2L * 1024 * heads * (nope + rope + v) * 2, kv);
        }
        assertEquals(kv / 1048576.0, kMiB + vMiB, 0.01, "llama.cpp prints MiB to two decimals");
    }
}
