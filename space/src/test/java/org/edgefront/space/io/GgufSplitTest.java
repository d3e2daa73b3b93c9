package org.edgefront.space.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model split into shards as llama.cpp's {@code gguf-split} writes them (the metadata in the first shard, each shard's
 * own {@code split.no}, {@code split.count} and {@code split.tensors.count}, files {@code PREFIX-0000k-of-0000n.gguf}) reads
 * like the same model in one file. The real tool's files are checked in the llama.cpp-tagged tests.
 */
class GgufSplitTest {
    private static final int DIM = 32, HIDDEN = 64, LAYERS = 2, HEADS = 4, KV_HEADS = 2, VOCAB = 40;

    @TempDir
    Path dir;

    /** The tensors of a tiny llama, F32, seeded: name to {cols, rows} (rows 0 for a vector) and values. */
    private static Map<String, Object[]> tensors() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("token_embd.weight", new long[] {DIM, VOCAB});
        int kvDim = DIM / HEADS * KV_HEADS;
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            shapes.put(b + "attn_norm.weight", new long[] {DIM});
            shapes.put(b + "attn_q.weight", new long[] {DIM, DIM});
            shapes.put(b + "attn_k.weight", new long[] {DIM, kvDim});
            shapes.put(b + "attn_v.weight", new long[] {DIM, kvDim});
            shapes.put(b + "attn_output.weight", new long[] {DIM, DIM});
            shapes.put(b + "ffn_norm.weight", new long[] {DIM});
            shapes.put(b + "ffn_gate.weight", new long[] {DIM, HIDDEN});
            shapes.put(b + "ffn_up.weight", new long[] {DIM, HIDDEN});
            shapes.put(b + "ffn_down.weight", new long[] {HIDDEN, DIM});
        }
        shapes.put("output_norm.weight", new long[] {DIM});
        shapes.put("output.weight", new long[] {DIM, VOCAB});
        Random rnd = new Random(42);
        Map<String, Object[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long n = 1;
            for (long d : e.getValue()) n *= d;
            float[] v = new float[(int) n];
            for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian() * 0.1f;
            out.put(e.getKey(), new Object[] {e.getValue(), v});
        }
        return out;
    }

    private static byte[] f32(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    private static TestGguf metadata(TestGguf g) {
        return g.string("general.architecture", "llama").string("general.name", "split-test").u32("llama.embedding_length", DIM)
                .u32("llama.feed_forward_length", HIDDEN).u32("llama.block_count", LAYERS).u32("llama.attention.head_count", HEADS)
                .u32("llama.attention.head_count_kv", KV_HEADS).u32("llama.context_length", 16)
                .f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    }

    /** The model in one file. */
    private Path whole() throws Exception {
        TestGguf g = metadata(new TestGguf());
        for (Map.Entry<String, Object[]> e : tensors().entrySet()) g.tensor(e.getKey(), (long[]) e.getValue()[0], 0, f32((float[]) e.getValue()[1]));
        return g.write(dir.resolve("whole.gguf"));
    }

    /**
     * The model in {@code shards} files named as llama.cpp names them, tensors dealt in order; {@code statedTotal} is the
     * first shard's {@code split.tensors.count}.
     */
    private List<Path> split(String prefix, int shards, int statedTotal) throws Exception {
        List<Map.Entry<String, Object[]>> all = new ArrayList<>(tensors().entrySet());
        int per = (all.size() + shards - 1) / shards;
        List<Path> out = new ArrayList<>();
        for (int k = 0; k < shards; k++) {
            TestGguf g = k == 0 ? metadata(new TestGguf()) : new TestGguf();
            g.u16("split.no", k).u16("split.count", shards).i32("split.tensors.count", statedTotal);
            for (Map.Entry<String, Object[]> e : all.subList(k * per, Math.min(all.size(), (k + 1) * per))) {
                g.tensor(e.getKey(), (long[]) e.getValue()[0], 0, f32((float[]) e.getValue()[1]));
            }
            out.add(g.write(dir.resolve(String.format("%s-%05d-of-%05d.gguf", prefix, k + 1, shards))));
        }
        return out;
    }

    @Test
    void aSplitModelReadsLikeTheSameModelInOneFile() throws Exception {
        Path whole = whole();
        List<Path> shards = split("model", 3, tensors().size());
        try (ModelWeights a = ModelLoader.open(whole.toString()); ModelWeights b = ModelLoader.open(shards.get(0).toString())) {
            assertEquals(a.architecture(), b.architecture());
            for (String t : a.tensorNames()) assertArrayEquals(a.read(t), b.read(t), t);
        }
        Configuration conf = new Configuration();
        assertEquals(GgufFile.tensorTypes(whole.toString(), conf), GgufFile.tensorTypes(shards.get(0).toString(), conf));
        assertEquals(GgufFile.header(whole.toString(), conf).tensorDims(), GgufFile.header(shards.get(0).toString(), conf).tensorDims(),
                "the header summary (inspect, simulate) counts every shard's tensors");
    }

    @Test
    void aShardOtherThanTheFirstNamesTheFirst() throws Exception {
        List<Path> shards = split("m", 3, tensors().size());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelLoader.open(shards.get(1).toString()).close());
        assertTrue(e.getMessage().contains("shard 2 of 3") && e.getMessage().contains("m-00001-of-00003.gguf"), e.getMessage());
    }

    @Test
    void aMissingShardOrAFirstShardNamedOtherwiseIsBadInputNamingIt() throws Exception {
        List<Path> shards = split("m", 3, tensors().size());
        Files.delete(shards.get(2));
        InvalidInputException missing = assertThrows(InvalidInputException.class, () -> ModelLoader.open(shards.get(0).toString()).close());
        assertTrue(missing.getMessage().contains("shard 3 of 3") && missing.getMessage().contains("does not exist"), missing.getMessage());
        Path renamed = Files.move(shards.get(0), dir.resolve("renamed.gguf"));
        InvalidInputException name = assertThrows(InvalidInputException.class, () -> ModelLoader.open(renamed.toString()).close());
        assertTrue(name.getMessage().contains("split.count") && name.getMessage().contains("PREFIX-00001-of-00003.gguf"), name.getMessage());
    }

    @Test
    void aShardCountThatDisagreesWithTheShardsIsBadInput() throws Exception {
        List<Path> shards = split("m", 2, tensors().size() + 1);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelLoader.open(shards.get(0).toString()).close());
        assertTrue(e.getMessage().contains("split.tensors.count"), e.getMessage());
    }
}
