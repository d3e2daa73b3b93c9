package org.edgefront.nativert.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.io.GgufFile;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real llama-quantize is the oracle for {@link FormatMixes}' file types: a synthetic llama2.c model whose every
 * row is whole 256-blocks, converted to GGUF by llama.cpp, is quantized to every file type, and the type llama.cpp
 * wrote for each tensor must be the one FormatMixes gives. Two models (no grouped-query attention, and n_gqa 4), 16
 * layers (so n/8 and n/16 are whole layers and use_more_bits picks a pattern), and stories260K (no whole 256-blocks:
 * every fallback); each with and without an importance matrix through llama-quantize --dry-run (the same type
 * decisions, printed without writing), and the n_gqa 4 model also as real files read back; bartowski's "_L" labels
 * against their base file type with --token-embedding-type q8_0 --output-tensor-type q8_0. The hybrid models (LFM2.5's
 * short convolutions, Qwen3.5's gated delta nets and gated attention) are checked the same way at their real shapes,
 * from GGUF headers whose data is a hole ({@link org.edgefront.nativert.HybridGgufs}).
 */
@Tag("llamacpp")
public class FormatMixesLlamaCppTest {
    @TempDir
    Path dir;

    public static Path bin() {
        String env = System.getenv("EDGEFRONT_LLAMA_CPP_BIN");
        if (env != null && !env.isBlank()) return Path.of(env);
        String cache = System.getenv("EDGEFRONT_CACHE");
        Path root = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache", "edgefront");
        return root.resolve("llama.cpp-3.22.1/bin");
    }

    private static void abort(String msg) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(msg);
        Assumptions.abort(msg);
    }

    private String run(List<String> cmd, String logName) throws Exception {
        Path log = dir.resolve(logName);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(cmd.get(0) + " timed out");
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) fail(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + out);
        return out;
    }

    /** A legacy llama.cpp importance matrix (.dat) of seeded positive weights for every weight tensor llama-quantize reads. */
    private static void writeImatrix(Path p, ModelArchitecture a) throws Exception {
        writeImatrix(p, a.linearTensors());
    }

    /** {@link #writeImatrix(Path, ModelArchitecture)} for the tensors {@code ts}. */
    private static void writeImatrix(Path p, List<TensorSpec> ts) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        java.util.function.IntConsumer i32 = v -> o.writeBytes(b.clear().putInt(v).array());
        Random rng = new Random(5);
        i32.accept(ts.size());
        for (TensorSpec t : ts) {
            byte[] n = t.name().getBytes(StandardCharsets.UTF_8);
            i32.accept(n.length);
            o.writeBytes(n);
            i32.accept(1);
            i32.accept(t.cols());
            for (int c = 0; c < t.cols(); c++) o.writeBytes(b.clear().putFloat(0.5f + rng.nextFloat()).array());
        }
        Files.write(p, o.toByteArray());
    }

    /** The type FormatMixes gives each tensor, as ggml names it (lower case). */
    private static Map<String, String> expected(ModelArchitecture a, FormatMixes.FileType ft, boolean imatrix) {
        return ggmlNames(FormatMixes.fileType(a, ft, imatrix));
    }

    /** Each tensor's stored format as ggml names it (lower case). */
    private static Map<String, String> ggmlNames(Map<String, TensorChoice> choices) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, TensorChoice> e : choices.entrySet()) out.put(e.getKey(), e.getValue().format().named().ggmlName().toLowerCase(Locale.ROOT));
        return out;
    }

    private static final Pattern DRY_RUN_LINE = Pattern.compile("\\]\\s+(\\S+)\\s+-\\s+\\[[^\\]]*\\], type =\\s*(\\S+), size =[^(\\n]*(?:\\((\\S+)\\))?");

    /** The type llama-quantize --dry-run decided for each of the model's linear tensors (the fallback's, where it printed one). */
    private static Map<String, String> dryRunTypes(String log, ModelArchitecture a) {
        Map<String, String> decided = new TreeMap<>();
        Matcher x = DRY_RUN_LINE.matcher(log);
        while (x.find()) {
            if (a.tensorsByName().containsKey(x.group(1))) decided.put(x.group(1), (x.group(3) != null ? x.group(3) : x.group(2)).toLowerCase(Locale.ROOT));
        }
        return decided;
    }

    @Test
    void fileTypesGiveExactlyThePerTensorTypesTheRealLlamaQuantizeWrites() throws Exception {
        Path bin = bin();
        for (String t : List.of("llama-quantize", "llama-convert-llama2c-to-ggml")) {
            if (!Files.isExecutable(bin.resolve(t))) abort(t + " not found in " + bin + " (run tools/llama-cpp/build.sh)");
        }
        Path tok = Path.of(System.getProperty("edgefront.shared", "../../shared"), "models/tok512.bin");
        if (!Files.isRegularFile(tok)) abort("tokenizer " + tok + " not found");
        List<String> wrong = new ArrayList<>();
        int compared = 0;
        // heads 4 / kv 4 (n_gqa 1) and heads 8 / kv 2 (n_gqa 4): the rules that test n_gqa >= 4 go both ways; then
        // stories260K (width 64, 5 layers): no row is a whole 256-block, so the output rule and every fallback apply
        Map<String, Path> models = new java.util.LinkedHashMap<>();
        for (int[] heads : new int[][] {{4, 4}, {8, 2}}) {
            String tag = "gqa" + heads[0] / heads[1];
            SyntheticLlama m = SyntheticLlama.create(new SyntheticLlama.Shape(256, 256, 16, heads[0], heads[1], 512, 64, false), 17);
            Path l2c = dir.resolve(tag + ".bin");
            SyntheticLlama.writeLlama2c(m, l2c.toString());
            models.put(tag, l2c);
        }
        Path stories = tok.resolveSibling("stories260K.bin");
        if (Files.isRegularFile(stories)) models.put("stories260K", stories);
        for (Map.Entry<String, Path> model : models.entrySet()) {
            String tag = model.getKey();
            Path l2c = model.getValue();
            Path f32 = dir.resolve(tag + "-f32.gguf");
            run(List.of(bin.resolve("llama-convert-llama2c-to-ggml").toString(), "--copy-vocab-from-model", tok.toString(), "--llama2c-model",
                    l2c.toString(), "--llama2c-output-model", f32.toString()), tag + "-convert.log");
            ModelArchitecture a;
            try (ModelWeights w = GgufFile.open(f32.toString())) {
                a = w.architecture();
            }
            if (tag.equals("gqa4")) assertEquals(4, a.heads() / a.kvHeads(), "the GGUF keeps the kv heads");
            Path imatrix = dir.resolve(tag + "-imatrix.dat");
            writeImatrix(imatrix, a);
            for (FormatMixes.FileType ft : FormatMixes.FileType.values()) {
                if (ft == FormatMixes.FileType.F32) continue; // the input already is F32: llama-quantize only copies
                if (org.edgefront.space.format.NamedFormat.byLabel(ft.defaultType()) == null) continue; // a type this build lacks (IQ4_XS before its row)
                if (tag.equals("gqa4")) {
                    // a real file written with an importance matrix, its tensor types read back
                    Path q = dir.resolve(tag + "-" + ft + ".gguf");
                    run(List.of(bin.resolve("llama-quantize").toString(), "--imatrix", imatrix.toString(), f32.toString(), q.toString(), ft.name(), "1"),
                            tag + "-quantize-" + ft + ".log");
                    Map<String, String> written = new TreeMap<>();
                    for (Map.Entry<String, String> e : GgufFile.tensorTypes(q.toString(), new org.apache.hadoop.conf.Configuration()).entrySet()) {
                        if (a.tensorsByName().containsKey(e.getKey())) written.put(e.getKey(), e.getValue().toLowerCase(Locale.ROOT));
                    }
                    Files.delete(q);
                    compared += diff(wrong, tag + " " + ft + " (file, imatrix)", expected(a, ft, true), written);
                }
                // llama-quantize --dry-run decides every type by the same rules and prints it, with and without a matrix
                for (boolean withImatrix : new boolean[] {true, false}) {
                    List<String> cmd = new ArrayList<>(List.of(bin.resolve("llama-quantize").toString(), "--dry-run"));
                    if (withImatrix) cmd.addAll(List.of("--imatrix", imatrix.toString()));
                    cmd.addAll(List.of(f32.toString(), ft.name(), "1"));
                    String log = run(cmd, tag + "-dry-" + ft + "-" + withImatrix + ".log");
                    compared += diff(wrong, tag + " " + ft + (withImatrix ? " (dry run, imatrix)" : " (dry run, no imatrix)"), expected(a, ft, withImatrix),
                            dryRunTypes(log, a));
                }
            }
        }
        assertEquals(List.of(), wrong);
        int q8Tables = compared;
        // bartowski's "_L" files: his base file type quantized with --token-embedding-type q8_0 --output-tensor-type q8_0
        for (Map.Entry<String, Path> model : models.entrySet()) {
            String tag = model.getKey();
            Path f32 = dir.resolve(tag + "-f32.gguf");
            ModelArchitecture a;
            try (ModelWeights w = GgufFile.open(f32.toString())) {
                a = w.architecture();
            }
            for (String[] label : new String[][] {{"Q2_K_L", "Q2_K"}, {"Q4_K_L", "Q4_K_M"}, {"Q5_K_L", "Q5_K_M"}, {"Q6_K_L", "Q6_K"}}) {
                String log = run(List.of(bin.resolve("llama-quantize").toString(), "--dry-run", "--token-embedding-type", "q8_0",
                        "--output-tensor-type", "q8_0", f32.toString(), label[1], "1"), tag + "-dry-" + label[0] + ".log");
                compared += diff(wrong, tag + " " + label[0] + " (dry run)", ggmlNames(FormatMixes.resolve(a, label[0])), dryRunTypes(log, a));
            }
        }
        assertEquals(List.of(), wrong);
        assertTrue(compared - q8Tables >= 4 * (2 * 16 * 7 + 5 * 7), "compared " + (compared - q8Tables) + " tensor types of _L files");
        // three models with and without a matrix, one of them also as real files; 30 file types (IQ4_XS once its format exists)
        assertTrue(compared >= 30 * (3 * 16 * 7 + 2 * 5 * 7), "compared " + compared + " tensor types");
    }

    @Test
    void hybridModelsGetExactlyThePerTensorTypesTheRealLlamaQuantizeDecides() throws Exception {
        // LFM2.5 (short convolutions, attention in 6 of 16 blocks, K/V heads 0 on the others) and Qwen3.5 0.8B and 2B
        // (gated delta nets, gated attention every fourth block) at their real shapes: llama-quantize --dry-run reads only the header
        // and the tensor infos, so the files are headers with a hole where the F32 data would be
        Path bin = bin();
        if (!Files.isExecutable(bin.resolve("llama-quantize"))) abort("llama-quantize not found in " + bin + " (run tools/llama-cpp/build.sh)");
        org.edgefront.nativert.ModelCatalog catalog = org.edgefront.nativert.ModelCatalog.load("../configs/models");
        List<String> wrong = new ArrayList<>();
        int compared = 0;
        for (String[] m : new String[][] {{"LFM2.5-1.2B-Instruct", "lfm2"}, {"Qwen3.5-0.8B", "qwen35"}, {"Qwen3.5-2B", "qwen35"}}) {
            org.edgefront.nativert.device.ModelDescriptor d = catalog.find(m[0], Double.NaN);
            ModelArchitecture a = d.architecture();
            Path f32 = dir.resolve(m[0] + ".gguf");
            org.edgefront.nativert.HybridGgufs.loadable(f32, m[1], d);
            // EdgeFront reads the same model back from the file it will hand to llama.cpp
            assertEquals(a.linearTensors(), catalog.resolve(f32.toString()).architecture().linearTensors(), m[0]);
            Path imatrix = dir.resolve(m[0] + "-imatrix.dat");
            writeImatrix(imatrix, a);
            compared += dryRuns(bin, f32, imatrix, (String) m[0], (ft, withImatrix, what, log) -> {
                Map<String, String> decided = new TreeMap<>();
                Matcher x = DRY_RUN_LINE.matcher(log);
                while (x.find()) decided.put(x.group(1), (x.group(3) != null ? x.group(3) : x.group(2)).toLowerCase(Locale.ROOT));
                Map<String, String> all = expected(a, ft, withImatrix);
                Map<String, String> mine = new TreeMap<>();
                for (Map.Entry<String, String> e : all.entrySet()) {
                    String gate = e.getKey();
                    if (gate.endsWith(".attn_q_gate.weight")) {
                        // llama.cpp stores the gate inside attn_q: one type for both
                        if (!e.getValue().equals(all.get(gate.replace(".attn_q_gate.", ".attn_q.")))) wrong.add(m[0] + " " + ft + " " + gate + ": a type apart from attn_q's");
                        continue;
                    }
                    mine.put(e.getKey(), e.getValue());
                }
                decided.keySet().retainAll(mine.keySet());
                return diff(wrong, what, mine, decided);
            });
        }
        System.out.printf("hybrid file types: %d tensor types compared with llama-quantize --dry-run, %d differ%n", compared, wrong.size());
        assertEquals(List.of(), wrong);
        assertTrue(compared >= 2 * 25 * (16 * 5 + 2 * 24 * 6), "compared " + compared + " tensor types");
    }

    @Test
    void latentAttentionBlocksGetExactlyThePerTensorTypesTheRealLlamaQuantizeDecides() throws Exception {
        // deepseek2 GGUFs (llama.cpp's multi-head latent attention) at DeepSeek-V2-Lite's and GLM-4.7-Flash's attention
        // shapes, every block dense so that only the attention's rules are in play: split k_b / v_b (3-D, per head) as
        // llama.cpp converts them now, and a legacy file's unsplit attn_kv_b; headers with a hole for the data
        Path bin = bin();
        if (!Files.isExecutable(bin.resolve("llama-quantize"))) abort("llama-quantize not found in " + bin + " (run tools/llama-cpp/build.sh)");
        List<String> wrong = new ArrayList<>();
        int compared = 0;
        Object[][] models = {
                {"v2-lite", new org.edgefront.nativert.LatentAttention(0, 512, 128, 64, 128), 16, 10944},
                {"glm-flash", new org.edgefront.nativert.LatentAttention(768, 512, 192, 64, 256), 20, 10240},
                {"v2-lite-legacy", new org.edgefront.nativert.LatentAttention(0, 512, 128, 64, 128, false), 16, 10944}};
        for (Object[] m : models) {
            org.edgefront.nativert.LatentAttention la = (org.edgefront.nativert.LatentAttention) m[1];
            int heads = (Integer) m[2], layers = 8;
            org.edgefront.nativert.device.ModelDescriptor d = new org.edgefront.nativert.device.ModelDescriptor("test", (String) m[0],
                    org.edgefront.space.model.ArchitectureFamily.LLAMA, 2048, (Integer) m[3], layers, heads, heads, la.qkHeadDim(), 1024, 4096,
                    false, List.of(), null, null, la);
            ModelArchitecture a = d.architecture();
            Path f32 = dir.resolve(m[0] + ".gguf");
            Map<String, Long> u32 = new java.util.LinkedHashMap<>();
            String p = "deepseek2.";
            u32.put(p + "context_length", 4096L);
            u32.put(p + "embedding_length", 2048L);
            u32.put(p + "block_count", (long) layers);
            u32.put(p + "feed_forward_length", (long) (Integer) m[3]);
            org.edgefront.nativert.HeaderOnlyGguf.latentAttentionKeys(u32, la, heads);
            u32.put(p + "leading_dense_block_count", (long) layers);
            u32.put(p + "expert_count", 0L);
            u32.put(p + "expert_used_count", 0L);
            u32.put(p + "expert_feed_forward_length", 1408L);
            u32.put(p + "expert_shared_count", 0L);
            List<org.edgefront.nativert.HeaderOnlyGguf.Tensor> tensors = new ArrayList<>();
            List<TensorSpec> plain = new ArrayList<>();
            for (TensorSpec t : a.linearTensors()) {
                if (t.name().endsWith(".attn_k_b.weight")) {
                    tensors.add(new org.edgefront.nativert.HeaderOnlyGguf.Tensor(t.name(), la.qkNopeHeadDim(), la.kvLoraRank(), heads));
                } else if (t.name().endsWith(".attn_v_b.weight")) {
                    tensors.add(new org.edgefront.nativert.HeaderOnlyGguf.Tensor(t.name(), la.kvLoraRank(), la.vHeadDim(), heads));
                } else {
                    tensors.add(new org.edgefront.nativert.HeaderOnlyGguf.Tensor(t.name(), t.cols(), t.rows()));
                    plain.add(t);
                }
            }
            org.edgefront.nativert.HeaderOnlyGguf.loadable(f32, new org.edgefront.nativert.HeaderOnlyGguf.Keys(Map.of("general.architecture", "deepseek2"), u32,
                    Map.of(), Map.of(p + "attention.layer_norm_rms_epsilon", 1e-6f)), tensors);
            // EdgeFront reads the same attention back from the file it hands to llama.cpp
            assertEquals(la, org.edgefront.nativert.ModelCatalog.fromGguf(org.edgefront.space.io.GgufFile.header(f32.toString(), new org.apache.hadoop.conf.Configuration())).latent(), (String) m[0]);
            Path imatrix = dir.resolve(m[0] + "-imatrix.dat");
            writeImatrix(imatrix, plain); // the 2-D tensors' rows; the 3-D k_b / v_b have none (their rules do not ask)
            compared += dryRuns(bin, f32, imatrix, (String) m[0], (ft, withImatrix, what, log) -> diff(wrong, what, expected(a, ft, withImatrix), dryRunTypes(log, a)));
        }
        System.out.printf("latent attention file types: %d tensor types compared with llama-quantize --dry-run, %d differ%n", compared, wrong.size());
        assertEquals(List.of(), wrong);
        assertTrue(compared >= 2 * 25 * 8 * 8 * 3, "compared " + compared + " tensor types");
    }

    @Test
    void mixturesOfExpertsGetExactlyThePerTensorTypesTheRealLlamaQuantizeDecides() throws Exception {
        // llama.cpp's rules ask for the expert count (n_expert 8: Mixtral; n_expert >= 4) and check an expert's own row
        // against a type's blocks (ne[0] of the 3-D ffn_down_exps is one expert's width: DeepSeek-V2-Lite's 1408 holds no
        // 256-blocks). Eight blocks at each model's real widths, experts as 3-D tensors, headers with a hole for the data;
        // each stacked FFN tensor of EdgeFront against llama.cpp's *_exps one. A shared expert is its own tensor in
        // llama.cpp (ffn_*_shexp, its own row length) and part of the stacked tensor here: not compared
        Path bin = bin();
        if (!Files.isExecutable(bin.resolve("llama-quantize"))) abort("llama-quantize not found in " + bin + " (run tools/llama-cpp/build.sh)");
        List<String> wrong = new ArrayList<>();
        int compared = 0;
        int layers = 8;
        org.edgefront.nativert.ModelCatalog catalog = org.edgefront.nativert.ModelCatalog.load("../configs/models");
        for (String[] m : new String[][] {{"Mixtral-8x7B", "llama"}, {"OLMoE-1B-7B", "olmoe"}, {"DeepSeek-V2-Lite", "deepseek2"}}) {
            org.edgefront.nativert.device.ModelDescriptor full = catalog.find(m[0], Double.NaN);
            org.edgefront.nativert.ExpertLayout e = full.experts();
            org.edgefront.nativert.device.ModelDescriptor d = new org.edgefront.nativert.device.ModelDescriptor("test", m[0], full.family(),
                    full.hiddenSize(), full.intermediateSize(), layers, full.heads(), full.kvHeads(), full.headDim(), 1024, 4096, false, List.of(),
                    e, null, full.latent());
            ModelArchitecture a = d.storedArchitecture();
            String p = m[1] + ".";
            Map<String, Long> u32 = new java.util.LinkedHashMap<>();
            u32.put(p + "context_length", 4096L);
            u32.put(p + "embedding_length", (long) d.hiddenSize());
            u32.put(p + "block_count", (long) layers);
            u32.put(p + "feed_forward_length", (long) d.intermediateSize());
            u32.put(p + "attention.head_count", (long) d.heads());
            u32.put(p + "attention.head_count_kv", (long) d.kvHeads());
            u32.put(p + "expert_count", (long) e.experts());
            u32.put(p + "expert_used_count", (long) e.activeExperts());
            u32.put(p + "expert_feed_forward_length", (long) e.expertIntermediateSize());
            org.edgefront.nativert.LatentAttention la = d.latent();
            if (la != null) {
                org.edgefront.nativert.HeaderOnlyGguf.latentAttentionKeys(u32, la, d.heads());
                u32.put(p + "leading_dense_block_count", (long) e.leadingDenseLayers());
                u32.put(p + "expert_shared_count", (long) (e.sharedIntermediateSize() / e.expertIntermediateSize()));
            }
            List<org.edgefront.nativert.HeaderOnlyGguf.Tensor> tensors = new ArrayList<>();
            List<TensorSpec> twoD = new ArrayList<>();
            Map<String, String> llamaName = new java.util.HashMap<>(); // EdgeFront's stacked tensor -> llama.cpp's *_exps
            int w = e.expertIntermediateSize(), n = e.experts(), shared = e.sharedIntermediateSize();
            for (TensorSpec t : a.linearTensors()) {
                String name = t.name();
                boolean stacked = t.layer() >= 0 && e.expertLayer(t.layer())
                        && (name.endsWith(".ffn_gate.weight") || name.endsWith(".ffn_up.weight") || name.endsWith(".ffn_down.weight"));
                if (stacked) {
                    String exps = name.replace(".weight", "_exps.weight");
                    llamaName.put(name, exps);
                    boolean down = name.endsWith(".ffn_down.weight");
                    tensors.add(down ? new org.edgefront.nativert.HeaderOnlyGguf.Tensor(exps, w, t.rows(), n)
                            : new org.edgefront.nativert.HeaderOnlyGguf.Tensor(exps, t.cols(), w, n));
                    if (shared > 0) {
                        String shexp = name.replace(".weight", "_shexp.weight");
                        tensors.add(down ? new org.edgefront.nativert.HeaderOnlyGguf.Tensor(shexp, shared, t.rows())
                                : new org.edgefront.nativert.HeaderOnlyGguf.Tensor(shexp, t.cols(), shared));
                    }
                } else if (name.endsWith(".attn_k_b.weight")) {
                    tensors.add(new org.edgefront.nativert.HeaderOnlyGguf.Tensor(name, la.qkNopeHeadDim(), la.kvLoraRank(), d.heads()));
                } else if (name.endsWith(".attn_v_b.weight")) {
                    tensors.add(new org.edgefront.nativert.HeaderOnlyGguf.Tensor(name, la.kvLoraRank(), la.vHeadDim(), d.heads()));
                } else {
                    tensors.add(new org.edgefront.nativert.HeaderOnlyGguf.Tensor(name, t.cols(), t.rows()));
                    twoD.add(t);
                }
            }
            Path f32 = dir.resolve(m[0] + ".gguf");
            org.edgefront.nativert.HeaderOnlyGguf.loadable(f32, new org.edgefront.nativert.HeaderOnlyGguf.Keys(Map.of("general.architecture", m[1]), u32,
                    Map.of(), Map.of(p + "attention.layer_norm_rms_epsilon", 1e-5f)), tensors);
            Path imatrix = dir.resolve(m[0] + "-imatrix.dat");
            writeImatrix(imatrix, twoD); // the 2-D tensors' rows; the 3-D tensors have none
            compared += dryRuns(bin, f32, imatrix, m[0], (ft, withImatrix, what, log) -> {
                Map<String, String> mine = new TreeMap<>();
                for (Map.Entry<String, TensorChoice> c : FormatMixes.fileType(a, ft, withImatrix, e).entrySet()) {
                    mine.put(llamaName.getOrDefault(c.getKey(), c.getKey()), c.getValue().format().named().ggmlName().toLowerCase(Locale.ROOT));
                }
                Map<String, String> decided = new TreeMap<>();
                Matcher x = DRY_RUN_LINE.matcher(log);
                while (x.find()) {
                    if (mine.containsKey(x.group(1))) decided.put(x.group(1), (x.group(3) != null ? x.group(3) : x.group(2)).toLowerCase(Locale.ROOT));
                }
                return diff(wrong, what, mine, decided);
            });
        }
        System.out.printf("mixture-of-experts file types: %d tensor types compared with llama-quantize --dry-run, %d differ%n", compared, wrong.size());
        wrong.stream().limit(40).forEach(System.out::println);
        assertEquals(List.of(), wrong);
        assertTrue(compared >= 2 * 25 * 8 * 7 * 3, "compared " + compared + " tensor types");
    }

    /** What one dry run decided, checked: returns how many tensor types it compared. */
    private interface DryRunCheck {
        int check(FormatMixes.FileType ft, boolean withImatrix, String what, String log) throws Exception;
    }

    /**
     * Runs llama-quantize --dry-run on {@code f32} for every file type FormatMixes names (but F32), with {@code imatrix}
     * and without, and sums what {@code check} returns for each log; {@code what} names the model, file type and matrix.
     */
    private int dryRuns(Path bin, Path f32, Path imatrix, String model, DryRunCheck check) throws Exception {
        int compared = 0;
        for (FormatMixes.FileType ft : FormatMixes.FileType.values()) {
            if (ft == FormatMixes.FileType.F32) continue;
            if (org.edgefront.space.format.NamedFormat.byLabel(ft.defaultType()) == null) continue;
            for (boolean withImatrix : new boolean[] {true, false}) {
                List<String> cmd = new ArrayList<>(List.of(bin.resolve("llama-quantize").toString(), "--dry-run"));
                if (withImatrix) cmd.addAll(List.of("--imatrix", imatrix.toString()));
                cmd.addAll(List.of(f32.toString(), ft.name(), "1"));
                String log = run(cmd, model + "-dry-" + ft + "-" + withImatrix + ".log");
                compared += check.check(ft, withImatrix, model + " " + ft + (withImatrix ? " (dry run, imatrix)" : " (dry run, no imatrix)"), log);
            }
        }
        return compared;
    }

    /** Adds one line per tensor whose type differs and returns how many tensors were compared. */
    private static int diff(List<String> wrong, String what, Map<String, String> mine, Map<String, String> llama) {
        if (!mine.keySet().equals(llama.keySet())) {
            wrong.add(what + ": tensors differ, EdgeFront " + mine.keySet() + " vs llama.cpp " + llama.keySet());
            return 0;
        }
        for (Map.Entry<String, String> e : mine.entrySet()) {
            if (!e.getValue().equals(llama.get(e.getKey()))) wrong.add(what + " " + e.getKey() + ": EdgeFront " + e.getValue() + ", llama.cpp " + llama.get(e.getKey()));
        }
        return mine.size();
    }
}
