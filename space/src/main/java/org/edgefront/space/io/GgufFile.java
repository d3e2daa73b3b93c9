package org.edgefront.space.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.ggml.GgmlType;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.LogitSoftcaps;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.RopeScaling;
import org.edgefront.space.model.SlidingWindow;
import org.edgefront.space.model.TensorSpec;

/**
 * Reader for GGUF checkpoints (llama.cpp), versions 2 and 3, little-endian. Tensors of every ggml type
 * llama.cpp writes ({@link GgmlType}: F32, F16, BF16, the legacy, K- and i-quants, TQ1_0/TQ2_0, MXFP4) are
 * dequantized to float when read, by byte range, bit-exactly as ggml does. Architectures {@code llama} (also
 * used for Mistral), {@code qwen2}, {@code qwen3}, {@code gemma3} and {@code phi3} have a forward pass; any other is refused as an unsupported
 * architecture. The head size is {@code <arch>.attention.key_length} when present, else embedding_length / head_count.
 * The file's own tokenizer ({@code tokenizer.ggml.*}) is read by {@link #vocabulary}.
 *
 * <p>GGUF already uses EdgeFront's canonical tensor names ({@code blk.N.attn_q.weight} ...). A 2-D
 * tensor's dims are {@code [ne0 = cols, ne1 = rows]}. llama.cpp's converter stores Llama q/k rows in
 * interleaved-pair order (as Meta and llama2.c do), so they are read as is; Qwen2 and Qwen3 keep Hugging Face's
 * rotate-half order (llama.cpp runs them with NEOX RoPE: {@link ArchitectureFamily#ggufRotatesHalf()}), so their
 * q/k rows, biases and q/k norms ({@code blk.N.attn_q_norm.weight}, {@code blk.N.attn_k_norm.weight}) are put back in
 * interleaved order, as {@link HuggingFaceModel} does. Phi-3 (also NEOX) stores q | k | v stacked in
 * {@code blk.N.attn_qkv.weight} (or apart, which llama.cpp's loader also accepts) and gate | up in
 * {@code blk.N.ffn_up.weight} of 2 x feed_forward_length rows ({@link ModelArchitecture#stackedTensors()}); each part is
 * read as its canonical tensor, a byte range of whole rows of the stack; its LongRoPE factors
 * ({@code rope_factors_long.weight}, {@code rope_factors_short.weight}) become the architecture's {@link RopeScaling}, and
 * a {@code phi3.rope.dimension_count} below the head size its partial rotary (Phi-4-mini), under which only each head's
 * first rotated rows are in rotate-half order.
 *
 * <p>Every count and length in the header is checked against the bytes left in the file (and a sane
 * limit) before anything is allocated from it. Stateless; the returned weights own the open file.
 */
public final class GgufFile {
    /** "GGUF" read as a little-endian uint32. */
    static final int MAGIC = 0x46554747;

    /**
     * A phi3 GGUF's LongRoPE, as llama.cpp names it (llama-arch.cpp: LLM_TENSOR_ROPE_FACTORS_LONG / _SHORT, one F32 value
     * per frequency pair; LLM_KV_ROPE_SCALING_ORIG_CTX_LEN and LLM_KV_ROPE_SCALING_ATTN_FACTOR after
     * {@code <arch>.}), read here and written by the GGUF export.
     */
    public static final String LONG_ROPE_FACTORS_TENSOR = "rope_factors_long.weight";
    /** The per-frequency RoPE divisors llama.cpp's converter writes for the llama3 rule (Llama 3.1 and later): {@code rotaryDims / 2} F32. */
    public static final String ROPE_FREQS_TENSOR = "rope_freqs.weight";
    /** See {@link #LONG_ROPE_FACTORS_TENSOR}. */
    public static final String SHORT_ROPE_FACTORS_TENSOR = "rope_factors_short.weight";
    /** See {@link #LONG_ROPE_FACTORS_TENSOR}: the original context, in tokens (u32). */
    public static final String ROPE_ORIGINAL_CONTEXT_KEY = "rope.scaling.original_context_length";
    /**
     * Key (after {@code <arch>.}) of RoPE's width per head, llama.cpp's {@code n_rot}: the first this many dimensions of each
     * q/k head are rotated ({@link ModelArchitecture#rotaryDims()}); the head size when absent.
     */
    public static final String ROPE_DIMENSION_COUNT_KEY = "rope.dimension_count";
    /** See {@link #LONG_ROPE_FACTORS_TENSOR}: the factor on cos and sin (f32). */
    public static final String ROPE_ATTENTION_FACTOR_KEY = "rope.scaling.attn_factor";

    private static final long MAX_COUNT = 1L << 24;
    private static final long MAX_STRING = 1L << 24;
    private static final int MAX_ARRAY_DEPTH = 4;

    // GGUF metadata value types
    private static final int U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7, STRING = 8,
            ARRAY = 9, U64 = 10, I64 = 11, F64 = 12;
    private static final int[] SCALAR_BYTES = {1, 1, 2, 2, 4, 4, 4, 1, -1, -1, 8, 8, 8};

    private GgufFile() { }

    /** True when a file is there and starts with the GGUF magic (false for directories and missing paths). */
    public static boolean hasMagic(String uri, Configuration conf) throws IOException {
        org.apache.hadoop.fs.FileStatus st = HadoopFiles.statusOrNull(uri, conf);
        if (st == null || st.isDirectory()) return false;
        try (RangeReader r = HadoopFiles.open(uri, conf)) {
            return r.length() >= 4 && r.readLittleEndian(0, 4).getInt(0) == MAGIC;
        }
    }

    /** Opens a GGUF checkpoint with a default Hadoop configuration. */
    public static ModelWeights open(String uri) throws IOException {
        return open(uri, new Configuration());
    }

    /**
     * Opens a GGUF checkpoint: one file, or the first shard of a model llama.cpp's {@code gguf-split} split into
     * {@code PREFIX-0000k-of-0000n.gguf} files (the others are read from beside it).
     *
     * @throws InvalidInputException naming the file and the key, tensor or byte offset at fault
     */
    public static ModelWeights open(String uri, Configuration conf) throws IOException {
        return HadoopFiles.openWith(uri, conf, r -> parse(r, conf));
    }

    /**
     * A metadata value we may need: numbers, booleans, strings; arrays by length only, except the tokenizer's
     * ({@code tokenizer.ggml.*}), whose string or number elements are kept.
     */
    private record Meta(int type, double number, String text, long arrayLength, long offset, List<String> strings, double[] numbers) {
        Meta(int type, double number, String text, long arrayLength, long offset) {
            this(type, number, text, arrayLength, offset, null, null);
        }
    }

    /**
     * A GGUF file's header without its tensors' data: what a simulator needs to describe a model of any architecture
     * (MoE and others that {@link #open} cannot run). Immutable.
     *
     * @param file          where it was read from
     * @param numbers       integer, float and boolean metadata by key
     * @param strings       string metadata by key
     * @param arrayLengths  array metadata by key: element count only
     * @param tensorDims    tensor name to ggml dims (innermost first: {@code [cols, rows]} for matrices)
     * @param tensorBytes   tensor name to stored bytes, for the types EdgeFront knows (absent otherwise)
     */
    public record HeaderSummary(String file, Map<String, Double> numbers, Map<String, String> strings, Map<String, Long> arrayLengths,
                         Map<String, List<Long>> tensorDims, Map<String, Long> tensorBytes) {
        public HeaderSummary {
            numbers = Map.copyOf(numbers);
            strings = Map.copyOf(strings);
            arrayLengths = Map.copyOf(arrayLengths);
            tensorDims = Map.copyOf(tensorDims);
            tensorBytes = Map.copyOf(tensorBytes);
        }
    }

    /**
     * The tokenizer stored in a GGUF file ({@code tokenizer.ggml.*}).
     *
     * @param source      the file
     * @param model       {@code tokenizer.ggml.model}: {@code llama} (SentencePiece-style) or {@code gpt2} (byte-level BPE), or others
     * @param pre         {@code tokenizer.ggml.pre} (the pre-tokenizer of a {@code gpt2} vocabulary), or null
     * @param tokens      token texts by id
     * @param scores      merge scores by id (SentencePiece-style), or null
     * @param tokenTypes  llama.cpp token types by id (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte), or null
     * @param merges      merges {@code "a b"} by rank ({@code gpt2}), or null
     * @param bosId       BOS id, or -1
     * @param eosId       EOS id, or -1
     * @param addSpacePrefix {@code tokenizer.ggml.add_space_prefix} (SentencePiece dummy prefix; default true)
     * @param addBos      {@code tokenizer.ggml.add_bos_token}, or null when the file does not say
     * @param unkId       {@code tokenizer.ggml.unknown_token_id}, or -1
     * @param sepId       {@code tokenizer.ggml.seperator_token_id} (sic: llama.cpp's key; WordPiece's [SEP]), or -1
     * @param lowercase   {@code tokenizer.ggml.normalizer.lowercase} (WordPiece), or null when the file does not say
     * @param stripAccents {@code tokenizer.ggml.normalizer.strip_accents} (WordPiece), or null when the file does not say
     */
    public record Vocabulary(String source, String model, String pre, List<String> tokens, float[] scores, int[] tokenTypes,
                             List<String> merges, int bosId, int eosId, boolean addSpacePrefix, Boolean addBos, int unkId,
                             int sepId, Boolean lowercase, Boolean stripAccents) {
        /** A vocabulary without unknown-token or separator ids or normalizer keys. */
        public Vocabulary(String source, String model, String pre, List<String> tokens, float[] scores, int[] tokenTypes,
                          List<String> merges, int bosId, int eosId, boolean addSpacePrefix, Boolean addBos) {
            this(source, model, pre, tokens, scores, tokenTypes, merges, bosId, eosId, addSpacePrefix, addBos, -1, -1, null, null);
        }
    }

    /**
     * Reads only the header (metadata and tensor table) of a GGUF file; every count and length checked as in
     * {@link #open}. The file is closed before returning.
     *
     * @throws InvalidInputException naming the file and the key or offset at fault
     */
    public static HeaderSummary header(String uri, Configuration conf) throws IOException {
        try (RangeReader r = HadoopFiles.open(uri, conf)) {
            String f = r.source();
            Cursor c = new Cursor(r);
            if (r.length() < 24) throw new InvalidInputException(f, "header", "file has " + r.length() + " bytes, fewer than a GGUF header (truncated?)");
            if (c.u32() != MAGIC) throw new InvalidInputException(f, "magic (offset 0)", "not a GGUF file");
            long version = c.u32();
            if (version != 2 && version != 3) throw new InvalidInputException(f, "version (offset 4)", "GGUF version " + version + " is not supported (2 and 3 are)");
            long tensorCount = c.count("tensor_count (offset 8)", 24);
            long kvCount = c.count("metadata_kv_count (offset 16)", 13);
            Map<String, Double> numbers = new HashMap<>();
            Map<String, String> strings = new HashMap<>();
            Map<String, Long> arrays = new HashMap<>();
            for (long i = 0; i < kvCount; i++) {
                long at = c.pos;
                String key = c.string("metadata key " + i);
                int type = (int) c.u32();
                Meta m = c.value(key, type, at, 0);
                if (m.type() == STRING) strings.put(key, m.text());
                else if (m.type() == ARRAY) arrays.put(key, m.arrayLength());
                else numbers.put(key, m.number());
            }
            Map<String, List<Long>> dims = new LinkedHashMap<>();
            Map<String, Long> bytes = new HashMap<>();
            for (long i = 0; i < tensorCount; i++) {
                String name = c.string("tensor " + i + " name");
                long nDims = c.u32();
                if (nDims < 1 || nDims > 4) throw new InvalidInputException(f, name + " n_dims (offset " + (c.pos - 4) + ")", "value " + nDims + " is not 1..4");
                List<Long> d = new ArrayList<>();
                long count = 1;
                for (int k = 0; k < nDims; k++) {
                    long v = c.u64();
                    if (v < 1 || v > (1L << 40)) throw new InvalidInputException(f, name + " dims (offset " + (c.pos - 8) + ")", "dimension " + v + " is out of range");
                    d.add(v);
                    count = count > (1L << 50) / v ? -1 : count * v;
                }
                org.edgefront.space.ggml.GgmlType st = org.edgefront.space.ggml.GgmlType.byId(c.u32());
                c.u64(); // offset
                dims.put(name, List.copyOf(d));
                if (st != null && count > 0 && d.get(0) % st.blockValues() == 0) bytes.put(name, st.bytesFor(count));
            }
            Double shards = numbers.get(SPLIT_COUNT);
            if (shards != null && shards > 1) {
                // a split model: the other shards' tensors too (the metadata is the first shard's)
                Tensors t = tensors(r, header(r), conf);
                try {
                    for (Info i : t.byName().values()) {
                        if (dims.containsKey(i.name())) continue;
                        dims.put(i.name(), i.dims());
                        if (i.bytes() >= 0) bytes.put(i.name(), i.bytes());
                    }
                } finally {
                    t.closeOpened();
                }
            }
            return new HeaderSummary(f, numbers, strings, arrays, dims, bytes);
        }
    }


    /**
     * One tensor's header entry.
     *
     * @param dims   ggml dims, innermost first ({@code [cols, rows]} for matrices)
     * @param type   storage type
     * @param offset byte offset relative to the data section
     */
    private record Info(String name, List<Long> dims, long ggmlType, GgmlType type, long offset, long count, long bytes) { }

    /**
     * Reads the tokenizer a GGUF file carries.
     *
     * @throws InvalidInputException when the file is not a GGUF, or has no tokenizer or a malformed one
     */
    public static Vocabulary vocabulary(String uri, Configuration conf) throws IOException {
        try (RangeReader r = HadoopFiles.open(uri, conf)) {
            Header h = header(r);
            String f = r.source();
            Map<String, Meta> meta = h.meta();
            if (!meta.containsKey("tokenizer.ggml.model")) throw new InvalidInputException(f, "tokenizer.ggml.model", "the GGUF file carries no tokenizer");
            String model = text(f, meta, "tokenizer.ggml.model");
            Meta tokens = need(f, meta, "tokenizer.ggml.tokens");
            if (tokens.strings() == null || tokens.strings().isEmpty()) {
                throw new InvalidInputException(f, "tokenizer.ggml.tokens", "not a non-empty array of strings");
            }
            int n = tokens.strings().size();
            float[] scores = null;
            Meta sc = meta.get("tokenizer.ggml.scores");
            if (sc != null) {
                if (sc.numbers() == null || sc.numbers().length != n) throw new InvalidInputException(f, "tokenizer.ggml.scores", "not an array of " + n + " numbers");
                scores = new float[n];
                for (int i = 0; i < n; i++) scores[i] = (float) sc.numbers()[i];
            }
            int[] types = null;
            Meta ty = meta.get("tokenizer.ggml.token_type");
            if (ty != null) {
                if (ty.numbers() == null || ty.numbers().length != n) throw new InvalidInputException(f, "tokenizer.ggml.token_type", "not an array of " + n + " numbers");
                types = new int[n];
                for (int i = 0; i < n; i++) types[i] = (int) ty.numbers()[i];
            }
            List<String> merges = null;
            Meta mg = meta.get("tokenizer.ggml.merges");
            if (mg != null) {
                if (mg.strings() == null) throw new InvalidInputException(f, "tokenizer.ggml.merges", "not an array of strings");
                merges = mg.strings();
            }
            int bos = tokenId(f, meta, "tokenizer.ggml.bos_token_id", n);
            int eos = tokenId(f, meta, "tokenizer.ggml.eos_token_id", n);
            Meta prefix = meta.get("tokenizer.ggml.add_space_prefix");
            Meta pre = meta.get("tokenizer.ggml.pre");
            Meta addBos = meta.get("tokenizer.ggml.add_bos_token");
            Meta lower = meta.get("tokenizer.ggml.normalizer.lowercase");
            Meta strip = meta.get("tokenizer.ggml.normalizer.strip_accents");
            return new Vocabulary(f, model, pre != null && pre.type() == STRING ? pre.text() : null, tokens.strings(), scores, types, merges, bos, eos,
                    prefix == null || prefix.number() != 0, addBos == null ? null : addBos.number() != 0,
                    optionalTokenId(f, meta, "tokenizer.ggml.unknown_token_id", n), optionalTokenId(f, meta, "tokenizer.ggml.seperator_token_id", n),
                    lower == null ? null : lower.number() != 0,
                    strip == null ? null : strip.number() != 0);
        }
    }

    /**
     * The metadata values whose keys start with {@code prefix}, in file order, each as its GGUF encoding (the u32
     * value type then the value, exactly the bytes the file holds): what a writer copies unchanged
     * ({@link GgufWriter#raw}). Every length was checked while reading the header.
     */
    public static Map<String, byte[]> rawMetadata(String uri, String prefix, Configuration conf) throws IOException {
        try (RangeReader r = HadoopFiles.open(uri, conf)) {
            Map<String, byte[]> out = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : header(r).valueSpans().entrySet()) {
                if (!e.getKey().startsWith(prefix)) continue;
                long[] span = e.getValue();
                long n = span[1] - span[0];
                if (n > Integer.MAX_VALUE - 16) throw new InvalidInputException(r.source(), e.getKey(), "value of " + n + " bytes is too large to copy");
                byte[] b = new byte[(int) n];
                r.readFully(span[0], b, 0, b.length);
                out.put(e.getKey(), b);
            }
            return out;
        }
    }

    /**
     * The ggml type each tensor is stored in, by GGUF tensor name in file order, over every shard of a split model (names
     * as ggml prints them, also for types EdgeFront cannot decode).
     */
    public static Map<String, String> tensorTypes(String uri, Configuration conf) throws IOException {
        try (RangeReader r = HadoopFiles.open(uri, conf)) {
            Tensors t = tensors(r, header(r), conf);
            try {
                Map<String, String> out = new LinkedHashMap<>();
                for (Info i : t.byName().values()) out.put(i.name(), GgmlType.nameOf(i.ggmlType()));
                return out;
            } finally {
                t.closeOpened();
            }
        }
    }

    /**
     * The F32 tensors of any GGUF whose names end in one of {@code suffixes} (e.g. an importance matrix's {@code .in_sum2}
     * and {@code .counts}), by name in file order, with the file's string metadata. Lengths come from the validated header:
     * each tensor lies inside the file and fits one Java array.
     *
     * @throws InvalidInputException naming the file and tensor when a matching tensor is not F32
     */
    public static Map<String, float[]> f32Tensors(String uri, Configuration conf, List<String> suffixes) throws IOException {
        try (RangeReader r = HadoopFiles.open(uri, conf)) {
            Header h = header(r);
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Info i : h.byName().values()) {
                if (suffixes.stream().noneMatch(i.name()::endsWith)) continue;
                if (i.type() != GgmlType.F32) {
                    throw new InvalidInputException(r.source(), i.name(), "stored as " + GgmlType.nameOf(i.ggmlType()) + "; F32 expected");
                }
                out.put(i.name(), r.readFloats(h.dataStart() + i.offset(), i.count(), GgmlType.F32));
            }
            return out;
        }
    }

    /**
     * A special token id that only some tokenizers use ([UNK], [SEP]): -1 when absent or, as llama.cpp treats a bad one
     * ("bad special token ... using default id"), outside the vocabulary; llama.cpp's llama2.c converter writes -1 there.
     */
    private static int optionalTokenId(String f, Map<String, Meta> meta, String key, int vocab) {
        Meta m = meta.get(key);
        if (m == null) return -1;
        if (!isInteger(m)) throw new InvalidInputException(f, key + " (offset " + m.offset() + ")", "not an integer token id");
        return m.number() >= 0 && m.number() < vocab ? (int) m.number() : -1;
    }

    private static int tokenId(String f, Map<String, Meta> meta, String key, int vocab) {
        Meta m = meta.get(key);
        if (m == null) return -1;
        if (!isInteger(m) || m.number() < 0 || m.number() >= vocab) throw new InvalidInputException(f, key + " (offset " + m.offset() + ")", "not a token id below " + vocab);
        return (int) m.number();
    }

    /** The parsed header: metadata, tensor entries by name, and where the data section starts. */
    private record Header(Map<String, Meta> meta, Map<String, Info> byName, long dataStart, Map<String, long[]> valueSpans) { }

    /**
     * The tensors of a model stored in one file or split into shards (llama.cpp's {@code gguf-split}): each tensor's
     * header entry and the shard that holds it. {@code readers.get(0)} is the file the caller opened; the others are owned
     * by whoever closes them ({@link StoredWeights}, or {@link #close}).
     */
    private record Tensors(List<RangeReader> readers, long[] dataStarts, Map<String, Info> byName, Map<String, Integer> shardOf) {
        Tensors {
            readers = List.copyOf(readers);
            byName = java.util.Collections.unmodifiableMap(byName);
            shardOf = java.util.Collections.unmodifiableMap(shardOf);
        }

        /** Absolute offset of a tensor's data in its shard. */
        long start(Info i) { return dataStarts[shardOf.get(i.name())] + i.offset(); }

        RangeReader reader(Info i) { return readers.get(shardOf.get(i.name())); }

        /** Closes the shards this object opened (every reader but the first). */
        void closeOpened() throws IOException {
            IOException first = null;
            for (RangeReader r : readers.subList(1, readers.size())) {
                try {
                    r.close();
                } catch (IOException e) {
                    if (first == null) first = e; else first.addSuppressed(e);
                }
            }
            if (first != null) throw first;
        }
    }

    /** llama.cpp's shard names: {@code PREFIX-00001-of-00003.gguf} ({@code llama_split_path}). */
    private static final java.util.regex.Pattern SHARD_NAME = java.util.regex.Pattern.compile("^(.*)-(\\d{5})-of-(\\d{5})\\.gguf$");

    /**
     * The shards of a split model, the first included, as llama.cpp finds them: {@code split.count} files named
     * {@code PREFIX-0000k-of-0000n.gguf} beside the first. A single file (no {@code split.count}, or 1) is its only shard.
     *
     * @throws InvalidInputException when the file is not the first shard or is not named as llama.cpp names shards
     */
    private static List<String> shardUris(String f, Map<String, Meta> meta) {
        Meta count = meta.get(SPLIT_COUNT);
        if (count == null) return List.of(f);
        if (!isInteger(count) || count.number() < 1 || count.number() > 9999) {
            throw new InvalidInputException(f, SPLIT_COUNT, "value " + count.number() + " is not a shard count of 1..9999");
        }
        int n = (int) count.number();
        Meta no = meta.get(SPLIT_NO);
        int index = no == null ? 0 : (int) no.number();
        if (n == 1) return List.of(f);
        java.util.regex.Matcher m = SHARD_NAME.matcher(f);
        if (index != 0) {
            String first = m.matches() ? m.group(1) + String.format(java.util.Locale.ROOT, "-%05d-of-%05d.gguf", 1, n) : "the first shard";
            throw new InvalidInputException(f, SPLIT_NO, "this file is shard " + (index + 1) + " of " + n + " of a split model; open " + first);
        }
        if (!m.matches() || Integer.parseInt(m.group(2)) != 1 || Integer.parseInt(m.group(3)) != n) {
            throw new InvalidInputException(f, SPLIT_COUNT, "a model split into " + n + " shards, but the file is not named like its first"
                    + " shard (PREFIX-00001-of-" + String.format(java.util.Locale.ROOT, "%05d", n) + ".gguf), so its other shards cannot be found");
        }
        List<String> out = new ArrayList<>();
        for (int k = 1; k <= n; k++) out.add(m.group(1) + String.format(java.util.Locale.ROOT, "-%05d-of-%05d.gguf", k, n));
        return out;
    }

    private static final String SPLIT_COUNT = "split.count";
    private static final String SPLIT_NO = "split.no";

    /**
     * Every tensor of the model whose first (or only) file is {@code r}: for a split model, the other shards are opened
     * and their headers read and checked (shard number and count, no tensor in two shards, the total the first shard
     * states).
     */
    private static Tensors tensors(RangeReader r, Header h, Configuration conf) throws IOException {
        String f = r.source();
        List<String> uris = shardUris(f, h.meta());
        Map<String, Info> byName = new LinkedHashMap<>(h.byName());
        Map<String, Integer> shardOf = new HashMap<>();
        for (String n : h.byName().keySet()) shardOf.put(n, 0);
        List<RangeReader> readers = new ArrayList<>(List.of(r));
        long[] starts = new long[uris.size()];
        starts[0] = h.dataStart();
        try {
            for (int k = 1; k < uris.size(); k++) {
                String u = uris.get(k);
                if (HadoopFiles.statusOrNull(u, conf) == null) {
                    throw new InvalidInputException(f, SPLIT_COUNT, "shard " + (k + 1) + " of " + uris.size() + " (" + u + ") does not exist");
                }
                RangeReader sr = HadoopFiles.open(u, conf);
                readers.add(sr);
                Header sh = header(sr);
                Meta no = sh.meta().get(SPLIT_NO);
                Meta cnt = sh.meta().get(SPLIT_COUNT);
                if (no == null || (int) no.number() != k || cnt == null || (int) cnt.number() != uris.size()) {
                    throw new InvalidInputException(u, SPLIT_NO, "expected shard " + (k + 1) + " of " + uris.size() + " (split.no " + k
                            + ", split.count " + uris.size() + "), found split.no " + (no == null ? "none" : (long) no.number())
                            + ", split.count " + (cnt == null ? "none" : (long) cnt.number()));
                }
                starts[k] = sh.dataStart();
                for (Info i : sh.byName().values()) {
                    if (byName.put(i.name(), i) != null) throw new InvalidInputException(u, i.name(), "tensor also in an earlier shard");
                    shardOf.put(i.name(), k);
                }
            }
            Meta total = h.meta().get("split.tensors.count");
            if (uris.size() > 1 && total != null && (long) total.number() != byName.size()) {
                throw new InvalidInputException(f, "split.tensors.count", "states " + (long) total.number() + " tensors; the "
                        + uris.size() + " shards hold " + byName.size());
            }
        } catch (IOException | RuntimeException e) {
            for (RangeReader o : readers.subList(1, readers.size())) {
                try {
                    o.close();
                } catch (IOException x) {
                    e.addSuppressed(x);
                }
            }
            throw e;
        }
        return new Tensors(readers, starts, byName, shardOf);
    }

    private static ModelWeights parse(RangeReader r, Configuration conf) throws IOException {
        Header h = header(r);
        Tensors t = tensors(r, h, conf);
        try {
            return weights(r, h.meta(), t);
        } catch (IOException | RuntimeException e) {
            t.closeOpened();
            throw e;
        }
    }

    private static Header header(RangeReader r) throws IOException {
        String f = r.source();
        Cursor c = new Cursor(r);
        if (r.length() < 24) throw new InvalidInputException(f, "header", "file has " + r.length() + " bytes, fewer than a GGUF header (truncated?)");
        if (c.u32() != MAGIC) throw new InvalidInputException(f, "magic (offset 0)", "not a GGUF file");
        long version = c.u32();
        if (version != 2 && version != 3) {
            String why = version > 0xffff ? "big-endian GGUF is not supported" : "GGUF version " + version + " is not supported (2 and 3 are)";
            throw new InvalidInputException(f, "version (offset 4)", why);
        }
        long tensorCount = c.count("tensor_count (offset 8)", 24);
        long kvCount = c.count("metadata_kv_count (offset 16)", 13);

        Map<String, Meta> meta = new HashMap<>();
        Map<String, long[]> spans = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long at = c.pos;
            String key = c.string("metadata key " + i);
            long typeAt = c.pos;
            int type = (int) c.u32();
            meta.put(key, c.value(key, type, at, 0));
            spans.put(key, new long[] {typeAt, c.pos});
        }
        Map<String, Info> byName = new LinkedHashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            long at = c.pos;
            String name = c.string("tensor " + i + " name");
            long nDims = c.u32();
            if (nDims < 1 || nDims > 4) throw new InvalidInputException(f, name + " n_dims (offset " + (c.pos - 4) + ")", "value " + nDims + " is not 1..4");
            List<Long> dims = new ArrayList<>();
            long count = 1;
            for (int d = 0; d < nDims; d++) {
                long v = c.u64();
                if (v < 1 || v > (1L << 40)) throw new InvalidInputException(f, name + " dims (offset " + (c.pos - 8) + ")", "dimension " + v + " is out of range");
                dims.add(v);
                try {
                    count = Math.multiplyExact(count, v);
                } catch (ArithmeticException e) {
                    throw new InvalidInputException(f, name + " dims", "dimensions " + dims + " overflow");
                }
            }
            long ggmlType = c.u32();
            long offset = c.u64();
            GgmlType st = GgmlType.byId(ggmlType);
            long bytes = -1;
            if (st != null) {
                if (dims.get(0) % st.blockValues() != 0) {
                    throw new InvalidInputException(f, name, "row length " + dims.get(0) + " is not a multiple of the " + st + " block of " + st.blockValues());
                }
                bytes = st.bytesFor(count);
                if (bytes < 0) throw new InvalidInputException(f, name + " dims", "dimensions " + dims + " overflow");
            }
            // a tensor of an unsupported type is only an error if the model needs it
            Info info = new Info(name, dims, ggmlType, st, offset, count, bytes);
            if (byName.put(name, info) != null) throw new InvalidInputException(f, name + " (offset " + at + ")", "duplicate tensor name");
        }
        long alignment = 32;
        Meta al = meta.get("general.alignment");
        if (al != null) {
            alignment = (long) al.number();
            if (!isInteger(al) || alignment < 1 || alignment > (1 << 20) || Long.bitCount(alignment) != 1) {
                throw new InvalidInputException(f, "general.alignment", "value " + al.number() + " is not a power of two up to 1 MiB");
            }
        }
        long dataStart = (c.pos + alignment - 1) / alignment * alignment;
        // a GGUF without tensors (llama.cpp's vocabulary-only files) may end right after its header, unpadded
        if (dataStart > r.length() && !(byName.isEmpty() && c.pos <= r.length())) {
            throw new InvalidInputException(f, "data (offset " + dataStart + ")", "file ends before the tensor data (truncated?)");
        }
        long dataBytes = r.length() - dataStart;
        List<Info> sorted = new ArrayList<>();
        for (Info i : byName.values()) if (i.type() != null) sorted.add(i);
        for (Info i : sorted) {
            if (i.offset() % alignment != 0) throw new InvalidInputException(f, i.name() + " offset", "offset " + i.offset() + " is not aligned to " + alignment);
            if (i.offset() > dataBytes || i.bytes() > dataBytes - i.offset()) {
                throw new InvalidInputException(f, i.name() + " offset", "data [" + i.offset() + ", +" + i.bytes() + ") lies beyond the "
                        + dataBytes + " bytes of tensor data (truncated?)");
            }
        }
        sorted.sort(Comparator.comparingLong(Info::offset));
        for (int k = 1; k < sorted.size(); k++) {
            Info a = sorted.get(k - 1);
            Info b = sorted.get(k);
            if (b.offset() < a.offset() + a.bytes()) throw new InvalidInputException(f, b.name() + " offset", "data overlaps tensor " + a.name());
        }
        return new Header(meta, byName, dataStart, spans);
    }

    private static ModelWeights weights(RangeReader r, Map<String, Meta> meta, Tensors tensors) throws IOException {
        String f = r.source();
        Map<String, Info> byName = tensors.byName();

        String archName = text(f, meta, "general.architecture");
        ArchitectureFamily family = switch (archName) {
            case "llama" -> ArchitectureFamily.LLAMA;
            case "qwen2" -> ArchitectureFamily.QWEN2;
            case "qwen3" -> ArchitectureFamily.QWEN3;
            case "gemma3" -> ArchitectureFamily.GEMMA3;
            case "gemma2" -> ArchitectureFamily.GEMMA2;
            case "phi3" -> ArchitectureFamily.PHI3;
            case "smollm3" -> ArchitectureFamily.SMOLLM3;
            default -> throw new InvalidInputException(f, "general.architecture", "unsupported architecture " + archName
                    + ": EdgeFront has no forward pass for it (llama, qwen2, qwen3, gemma2, gemma3, phi3, smollm3 have one)");
        };
        String p = archName + ".";
        int dim = positiveInt(f, meta, p + "embedding_length");
        int hidden = positiveInt(f, meta, p + "feed_forward_length");
        int layers = positiveInt(f, meta, p + "block_count");
        int heads = positiveInt(f, meta, p + "attention.head_count");
        int kvHeads = meta.containsKey(p + "attention.head_count_kv") ? positiveInt(f, meta, p + "attention.head_count_kv") : heads;
        int ctx = positiveInt(f, meta, p + "context_length");
        double eps = meta.containsKey(p + "attention.layer_norm_rms_epsilon") ? number(f, meta, p + "attention.layer_norm_rms_epsilon") : 1e-5;
        double theta = meta.containsKey(p + "rope.freq_base") ? number(f, meta, p + "rope.freq_base") : 10000.0;
        RopeScaling rope = RopeScaling.NONE;
        String scaling = meta.containsKey(p + "rope.scaling.type") ? text(f, meta, p + "rope.scaling.type") : "none";
        switch (scaling) {
            case "none" -> { }
            case "linear" -> {
                double factor = meta.containsKey(p + "rope.scaling.factor") ? number(f, meta, p + "rope.scaling.factor") : 1.0;
                if (factor == 0) factor = 1.0; // llama.cpp reads 0 as no scaling
                if (!(factor > 0)) throw new InvalidInputException(f, p + "rope.scaling.factor", "must be positive");
                // llama.cpp stores the frequency scale 1/factor only when it differs from 1
                if (factor != 1.0) rope = RopeScaling.linear(factor);
            }
            default -> throw new InvalidInputException(f, p + "rope.scaling.type", "RoPE scaling '" + scaling + "' in a GGUF is not supported (none, linear are)");
        }
        // llama.cpp's head size: attention.key_length when present (Qwen3-0.6B: 128 while 1024 / 16 = 64), else dim / heads
        boolean explicitHead = meta.containsKey(p + "attention.key_length");
        if (!explicitHead && dim % heads != 0) throw new InvalidInputException(f, p + "attention.head_count", heads + " does not divide embedding_length " + dim);
        int headDim = explicitHead ? positiveInt(f, meta, p + "attention.key_length") : dim / heads;
        if (meta.containsKey(p + "attention.value_length") && positiveInt(f, meta, p + "attention.value_length") != headDim) {
            throw new InvalidInputException(f, p + "attention.value_length", "value heads of " + positiveInt(f, meta, p + "attention.value_length")
                    + " differ from key heads of " + headDim + "; not supported");
        }
        if (byName.containsKey(ROPE_FREQS_TENSOR) && family == ArchitectureFamily.PHI3) {
            throw new InvalidInputException(f, ROPE_FREQS_TENSOR, "per-frequency RoPE factors on a phi3 model are not supported (its LongRoPE tensors are)");
        }
        if (kvHeads > heads || heads % kvHeads != 0) throw new InvalidInputException(f, p + "attention.head_count_kv", kvHeads + " does not divide head_count " + heads);
        if (headDim % 2 != 0) throw new InvalidInputException(f, p + (explicitHead ? "attention.key_length" : "attention.head_count"),
                "head size " + headDim + " is odd; RoPE needs pairs");
        if (eps <= 0 || theta <= 0) throw new InvalidInputException(f, p + "attention.layer_norm_rms_epsilon", "epsilon and RoPE base must be positive");
        int rotaryDims = rotaryDims(f, meta, p, family, headDim);
        Info embd = byName.get("token_embd.weight");
        if (embd == null) throw new InvalidInputException(f, "token_embd.weight", "missing tensor");
        int vocab;
        if (meta.containsKey(p + "vocab_size")) {
            vocab = positiveInt(f, meta, p + "vocab_size");
        } else if (embd.dims().size() == 2 && embd.dims().get(1) <= Integer.MAX_VALUE) {
            vocab = (int) (long) embd.dims().get(1);
        } else {
            throw new InvalidInputException(f, "token_embd.weight", "dims " + embd.dims() + " are not [dim, vocab]");
        }
        boolean tied = !byName.containsKey("output.weight");
        String name = meta.containsKey("general.name") && meta.get("general.name").text() != null && !meta.get("general.name").text().isBlank()
                ? meta.get("general.name").text() : Llama2cCheckpoint.modelName(f);
        ModelArchitecture arch = ModelArchitecture.of(name, family, dim, hidden, layers, heads, kvHeads, headDim, vocab, ctx, tied, eps, theta, false)
                .withRotaryDims(rotaryDims).withRopeScaling(rope);
        if (family == ArchitectureFamily.GEMMA3) arch = gemma3(f, meta, p, arch);
        if (family == ArchitectureFamily.GEMMA2) arch = gemma2(f, meta, p, arch);
        if (family == ArchitectureFamily.PHI3) arch = phi3(f, meta, p, tensors, arch);
        if (byName.containsKey(ROPE_FREQS_TENSOR)) {
            // Llama 3.1 / 3.2 / 3.3: llama.cpp's converter bakes the llama3 rule into one divisor per frequency pair, which
            // llama.cpp applies on every layer and at every context (no rope.scaling.type is written)
            if (arch.ropeScaling() != RopeScaling.NONE) {
                throw new InvalidInputException(f, ROPE_FREQS_TENSOR, "per-frequency factors on top of RoPE scaling '" + scaling + "' are not supported");
            }
            arch = arch.withRopeScaling(RopeScaling.frequencyFactors(ropeFactors(f, byName.get(ROPE_FREQS_TENSOR), rotaryDims, tensors), ctx));
        }

        Map<String, StoredWeights.Location> locs = new LinkedHashMap<>();
        boolean rotateHalf = family.ggufRotatesHalf();
        for (HuggingFaceModel.HfTensor t : HuggingFaceModel.tensorMap(arch)) {
            // a part of a stack (Phi-3) is read from the stack's rows; q, k and v may also be stored apart, as llama.cpp loads them
            ModelArchitecture.StackedTensor stack = t.stack() != null && (byName.containsKey(t.stack().name()) || !t.stack().separable())
                    ? t.stack() : null;
            String stored = stack != null ? stack.name() : t.canonical();
            Info i = byName.get(stored);
            if (i == null) throw new InvalidInputException(f, stored, "missing tensor");
            List<Long> expected = stack != null ? List.of((long) stack.cols(), (long) stack.rows())
                    : t.cols() < 0 ? List.of((long) t.rows()) : List.of((long) t.cols(), (long) t.rows());
            if (!i.dims().equals(expected)) {
                throw new InvalidInputException(f, stored, "dims " + i.dims() + " but the metadata implies " + expected + " (ggml order)");
            }
            if (i.type() == null) {
                throw new InvalidInputException(f, stored, "ggml type " + GgmlType.nameOf(i.ggmlType()) + " cannot be decoded (repacked or"
                        + " runtime-only layouts are not stored in GGUF files llama-quantize writes)");
            }
            long count = stack != null ? (long) t.rows() * t.cols() : i.count();
            if (count > Integer.MAX_VALUE - 8) throw new InvalidInputException(f, stored, "tensor of " + count + " values is too large to read into one array");
            // rows are whole blocks (the row length is a multiple of the block), so a part's rows are a byte range of the stack
            long skip = stack != null ? (long) stack.rowOffset(t.canonical()) * i.type().bytesFor(t.cols()) : 0;
            locs.put(t.canonical(), new StoredWeights.Location(tensors.shardOf().get(stored), tensors.start(i) + skip, count, i.type(), t.rows(),
                    rotateHalf ? t.ropeHeads() : 0));
        }
        return new StoredWeights(arch, f, tensors.readers(), locs);
    }

    /**
     * RoPE's width per head, {@code rope.dimension_count} (llama.cpp's {@code n_rot}, default the head size): NeoX RoPE on
     * the first n_rot dimensions of each head, the rest passed through. Below the head size only for phi3 (Phi-4-mini:
     * 96 of 128, which llama.cpp's converter writes as {@code int(partial_rotary_factor x width) / heads}), and even, as
     * ggml's RoPE requires; other families' partial rotary is refused, as EdgeFront has checked none against llama.cpp.
     */
    private static int rotaryDims(String f, Map<String, Meta> meta, String p, ArchitectureFamily family, int headDim) {
        String key = p + ROPE_DIMENSION_COUNT_KEY;
        if (!meta.containsKey(key)) return headDim;
        int n = positiveInt(f, meta, key);
        if (n == headDim) return n;
        if (family != ArchitectureFamily.PHI3) {
            throw new InvalidInputException(f, key, "RoPE on " + n + " of " + headDim + " head dimensions (partial rotary) is supported for phi3 only");
        }
        if (n > headDim || n % 2 != 0) {
            throw new InvalidInputException(f, key, "RoPE on " + n + " of " + headDim + " head dimensions: an even number up to the head size is needed");
        }
        return n;
    }

    /**
     * Gemma 3's hyperparameters as llama.cpp's {@code llama_model_gemma3::load_arch_hparams} reads them: a sliding window
     * only when {@code attention.sliding_window} is present and positive, its layer period
     * {@code attention.sliding_window_pattern} (default 6; llama.cpp's per-layer array form is refused), the local RoPE
     * base {@code rope.freq_base_swa} (default 10000, llama_hparams' {@code rope_freq_base_train_swa}); no final-logit
     * soft-capping; and the attention scale llama.cpp derives, since it reads no key for it: 1/sqrt(head size), except
     * 1/sqrt(width / heads) for the 62-layer 27B.
     */
    private static ModelArchitecture gemma3(String f, Map<String, Meta> meta, String p, ModelArchitecture a) {
        if (meta.containsKey(p + "final_logit_softcapping") && number(f, meta, p + "final_logit_softcapping") != 0) {
            throw new InvalidInputException(f, p + "final_logit_softcapping", "final-logit soft-capping is not supported");
        }
        SlidingWindow w = SlidingWindow.NONE;
        long window = meta.containsKey(p + "attention.sliding_window") ? (long) number(f, meta, p + "attention.sliding_window") : 0;
        if (window > 0) {
            String patternKey = p + "attention.sliding_window_pattern";
            Meta pm = meta.get(patternKey);
            if (pm != null && !isInteger(pm)) {
                throw new InvalidInputException(f, patternKey, "a per-layer sliding-window pattern is not supported (one period, e.g. 6, is)");
            }
            int pattern = pm == null ? 6 : positiveInt(f, meta, patternKey);
            double localTheta = meta.containsKey(p + "rope.freq_base_swa") ? number(f, meta, p + "rope.freq_base_swa") : 10000.0;
            if (!(localTheta > 0)) throw new InvalidInputException(f, p + "rope.freq_base_swa", "must be positive");
            w = new SlidingWindow((int) Math.min(Integer.MAX_VALUE, window), pattern, localTheta);
        }
        return a.withSlidingWindow(w).withAttentionScale(gemma3AttentionScale(a));
    }

    /**
     * Gemma 2's hyperparameters as llama.cpp's {@code llama_model_gemma2::load_arch_hparams} reads them: a sliding window
     * of {@code attention.sliding_window} tokens (default 4096) on the layers of period {@code attention.sliding_window_pattern}
     * (default 2: the even layers local; the per-layer array form is refused), at the RoPE base {@code rope.freq_base_swa}
     * (default: the global base); the soft-caps {@code attn_logit_softcapping} (default 50) and
     * {@code final_logit_softcapping} (default 30); and the attention scale llama.cpp derives: 1/sqrt(head size), except
     * 1/sqrt(width / heads) for the 46-layer 27B.
     */
    private static ModelArchitecture gemma2(String f, Map<String, Meta> meta, String p, ModelArchitecture a) {
        double attnCap = meta.containsKey(p + "attn_logit_softcapping") ? number(f, meta, p + "attn_logit_softcapping") : 50.0;
        double finalCap = meta.containsKey(p + "final_logit_softcapping") ? number(f, meta, p + "final_logit_softcapping") : 30.0;
        // llama.cpp divides by both caps unconditionally: 0 or a negative cap would make it compute NaN
        if (!(attnCap > 0) || Double.isInfinite(attnCap)) throw new InvalidInputException(f, p + "attn_logit_softcapping", "must be positive, got " + attnCap);
        if (!(finalCap > 0) || Double.isInfinite(finalCap)) throw new InvalidInputException(f, p + "final_logit_softcapping", "must be positive, got " + finalCap);
        double window = meta.containsKey(p + "attention.sliding_window") ? number(f, meta, p + "attention.sliding_window") : 4096;
        if (!(window >= 1)) throw new InvalidInputException(f, p + "attention.sliding_window", "must be a positive number of tokens, got " + window);
        String patternKey = p + "attention.sliding_window_pattern";
        Meta pm = meta.get(patternKey);
        if (pm != null && !isInteger(pm)) {
            throw new InvalidInputException(f, patternKey, "a per-layer sliding-window pattern is not supported (one period, e.g. 2, is)");
        }
        int pattern = pm == null ? 2 : positiveInt(f, meta, patternKey);
        double localTheta = meta.containsKey(p + "rope.freq_base_swa") ? number(f, meta, p + "rope.freq_base_swa") : a.ropeTheta();
        if (!(localTheta > 0)) throw new InvalidInputException(f, p + "rope.freq_base_swa", "must be positive");
        if (a.ropeScaling() != RopeScaling.NONE) {
            throw new InvalidInputException(f, p + "rope.scaling.type", "RoPE scaling on a gemma2 model is not supported");
        }
        return a.withSlidingWindow(new SlidingWindow((int) Math.min(Integer.MAX_VALUE, (long) window), pattern, localTheta))
                .withAttentionScale(gemma2AttentionScale(a)).withSoftcaps(new LogitSoftcaps(attnCap, finalCap));
    }

    /**
     * The factor on q.k that llama.cpp uses for a gemma2 GGUF, which has no key for it: 1/sqrt(head size), except
     * 1/sqrt(width / heads) for the 46-layer Gemma-2-27B (its query_pre_attn_scalar 144 = 4608 / 32).
     */
    public static double gemma2AttentionScale(ModelArchitecture a) {
        return a.layers() == 46 ? 1.0 / Math.sqrt(a.dim() / a.heads()) : 1.0 / Math.sqrt(a.headDim());
    }

    /**
     * The factor on q.k that llama.cpp uses for a gemma3 GGUF, which has no key for it ({@code f_attention_scale} in
     * {@code llama_model_gemma3::load_arch_hparams}): 1/sqrt(head size), except 1/sqrt(width / heads) for the 62-layer
     * Gemma-3-27B (its query_pre_attn_scalar 168 = 5376 / 32).
     */
    public static double gemma3AttentionScale(ModelArchitecture a) {
        return a.layers() == 62 ? 1.0 / Math.sqrt(a.dim() / a.heads()) : 1.0 / Math.sqrt(a.headDim());
    }

    /**
     * The phi3 GGUF's LongRoPE (Phi-3-*-128k, Phi-3.5), when it holds {@code rope_factors_long.weight} and
     * {@code rope_factors_short.weight} (one F32 value per frequency pair each, as llama.cpp's converter writes them):
     * the original context {@code rope.scaling.original_context_length} (default: context_length, as llama.cpp's
     * {@code n_ctx_orig_yarn}) and the cos/sin factor {@code rope.scaling.attn_factor} (default 1), which llama.cpp
     * applies with either set. A file with only one set, or with LongRoPE on top of another scaling, is refused. Its
     * {@code attention.sliding_window}, which llama.cpp's phi3 loader reads and then disables, is not applied
     * ({@link ArchitectureFamily#PHI3}). The factor tensors hold one value per rotated pair, {@code rope.dimension_count / 2}
     * (llama.cpp's loader: {@code n_rot/2}).
     */
    private static ModelArchitecture phi3(String f, Map<String, Meta> meta, String p, Tensors tensors, ModelArchitecture a) throws IOException {
        Map<String, Info> byName = tensors.byName();
        if (a.qDim() != a.dim()) {
            throw new InvalidInputException(f, "phi3.attention.key_length", "heads x head size " + a.qDim() + " differs from the width "
                    + a.dim() + "; llama.cpp's phi3 loader sizes q and attn_output by the width");
        }
        if (!byName.containsKey(LONG_ROPE_FACTORS_TENSOR) && !byName.containsKey(SHORT_ROPE_FACTORS_TENSOR)) return a;
        for (String n : new String[] {LONG_ROPE_FACTORS_TENSOR, SHORT_ROPE_FACTORS_TENSOR}) {
            if (!byName.containsKey(n)) throw new InvalidInputException(f, n, "missing tensor: LongRoPE needs both factor sets");
        }
        if (a.ropeScaling().type() != RopeScaling.Type.DEFAULT) {
            throw new InvalidInputException(f, p + "rope.scaling.type", "RoPE scaling " + a.ropeScaling().type().configName()
                    + " together with LongRoPE factors is not supported");
        }
        int original = meta.containsKey(p + ROPE_ORIGINAL_CONTEXT_KEY) ? positiveInt(f, meta, p + ROPE_ORIGINAL_CONTEXT_KEY) : a.maxSeqLen();
        double attention = meta.containsKey(p + ROPE_ATTENTION_FACTOR_KEY) ? number(f, meta, p + ROPE_ATTENTION_FACTOR_KEY) : 1.0;
        if (!(attention > 0) || Double.isInfinite(attention)) {
            throw new InvalidInputException(f, p + ROPE_ATTENTION_FACTOR_KEY, "value " + attention + " is not a positive finite number");
        }
        RopeScaling rope = RopeScaling.longRope(ropeFactors(f, byName.get(LONG_ROPE_FACTORS_TENSOR), a.rotaryDims(), tensors),
                ropeFactors(f, byName.get(SHORT_ROPE_FACTORS_TENSOR), a.rotaryDims(), tensors), (double) a.maxSeqLen() / original,
                original, attention);
        return a.withRopeScaling(rope);
    }

    /** A LongRoPE or per-frequency factor tensor: {@code rotaryDims / 2} positive finite F32 values. */
    private static List<Double> ropeFactors(String f, Info t, int rotaryDims, Tensors tensors) throws IOException {
        if (!t.dims().equals(List.of((long) rotaryDims / 2)) || t.type() != GgmlType.F32) {
            throw new InvalidInputException(f, t.name(), "dims " + t.dims() + " of type " + GgmlType.nameOf(t.ggmlType()) + ", but "
                    + rotaryDims + " rotated dimensions per head need " + rotaryDims / 2 + " F32 values, one per frequency pair");
        }
        float[] v = tensors.reader(t).readFloats(tensors.start(t), t.count(), t.type());
        List<Double> out = new ArrayList<>(v.length);
        for (int i = 0; i < v.length; i++) {
            if (!(v[i] > 0) || Float.isInfinite(v[i])) {
                throw new InvalidInputException(f, t.name() + "[" + i + "]", "value " + v[i] + " is not a positive finite number");
            }
            out.add((double) v[i]);
        }
        return out;
    }

    private static boolean isInteger(Meta m) {
        return m.type() == U8 || m.type() == I8 || m.type() == U16 || m.type() == I16 || m.type() == U32 || m.type() == I32
                || m.type() == U64 || m.type() == I64;
    }

    private static Meta need(String f, Map<String, Meta> meta, String key) {
        Meta m = meta.get(key);
        if (m == null) throw new InvalidInputException(f, key, "missing metadata key");
        return m;
    }

    private static int positiveInt(String f, Map<String, Meta> meta, String key) {
        Meta m = need(f, meta, key);
        if (!isInteger(m) || m.number() < 1 || m.number() > Integer.MAX_VALUE) {
            throw new InvalidInputException(f, key + " (offset " + m.offset() + ")", "value is not a positive 32-bit integer");
        }
        return (int) m.number();
    }

    private static double number(String f, Map<String, Meta> meta, String key) {
        Meta m = need(f, meta, key);
        if (!isInteger(m) && m.type() != F32 && m.type() != F64) throw new InvalidInputException(f, key + " (offset " + m.offset() + ")", "value is not a number");
        return m.number();
    }

    private static String text(String f, Map<String, Meta> meta, String key) {
        Meta m = need(f, meta, key);
        if (m.type() != STRING) throw new InvalidInputException(f, key + " (offset " + m.offset() + ")", "value is not a string");
        return m.text();
    }

    /** Sequential little-endian reads through a 64 KiB window, every length checked against the file. */
    private static final class Cursor {
        private final RangeReader r;
        private final byte[] window = new byte[1 << 16];
        private final ByteBuffer wb = ByteBuffer.wrap(window).order(ByteOrder.LITTLE_ENDIAN);
        private long windowStart = 0;
        private int windowLen = 0;
        long pos = 0;

        Cursor(RangeReader r) { this.r = r; }

        private void need(int n, String what) throws IOException {
            if (pos + n > r.length()) {
                throw new InvalidInputException(r.source(), what + " (offset " + pos + ")", "file ends early (truncated?)");
            }
            if (pos < windowStart || pos + n > windowStart + windowLen) {
                windowStart = pos;
                windowLen = (int) Math.min(window.length, r.length() - pos);
                r.readFully(pos, window, 0, windowLen);
            }
        }

        long u32() throws IOException {
            need(4, "value");
            long v = wb.getInt((int) (pos - windowStart)) & 0xffffffffL;
            pos += 4;
            return v;
        }

        long u64() throws IOException {
            need(8, "value");
            long v = wb.getLong((int) (pos - windowStart));
            pos += 8;
            return v;
        }

        /** A count, bounded by a sane limit and by the bytes left at {@code minBytesEach} per item. */
        long count(String what, long minBytesEach) throws IOException {
            long at = pos;
            long v = u64();
            long left = r.length() - pos;
            if (v < 0 || v > MAX_COUNT || v > left / minBytesEach) {
                throw new InvalidInputException(r.source(), what.contains("offset") ? what : what + " (offset " + at + ")",
                        "count " + Long.toUnsignedString(v) + " is impossible for the " + left + " bytes left in the file");
            }
            return v;
        }

        String string(String what) throws IOException {
            long at = pos;
            long len = u64();
            if (len < 0 || len > MAX_STRING || len > r.length() - pos) {
                throw new InvalidInputException(r.source(), what + " (offset " + at + ")", "string length " + Long.toUnsignedString(len)
                        + " is impossible (limit " + MAX_STRING + ", " + (r.length() - pos) + " bytes left)");
            }
            byte[] b = new byte[(int) len];
            if (len <= window.length) {
                need((int) len, what);
                System.arraycopy(window, (int) (pos - windowStart), b, 0, (int) len);
            } else {
                r.readFully(pos, b, 0, (int) len);
            }
            pos += len;
            return new String(b, StandardCharsets.UTF_8);
        }

        Meta value(String key, int type, long at, int depth) throws IOException {
            String where = "metadata key '" + key + "'";
            switch (type) {
                case U8, I8, U16, I16, U32, I32, BOOL, U64, I64 -> {
                    int n = SCALAR_BYTES[type];
                    need(n, where);
                    int o = (int) (pos - windowStart);
                    long v = switch (type) {
                        case U8, BOOL -> window[o] & 0xff;
                        case I8 -> window[o];
                        case U16 -> wb.getShort(o) & 0xffff;
                        case I16 -> wb.getShort(o);
                        case U32 -> wb.getInt(o) & 0xffffffffL;
                        case I32 -> wb.getInt(o);
                        default -> wb.getLong(o);
                    };
                    pos += n;
                    // a uint64 above Long.MAX_VALUE reads negative and fails every positivity check, as it should
                    return new Meta(type, v, null, 0, at);
                }
                case F32 -> {
                    need(4, where);
                    float v = wb.getFloat((int) (pos - windowStart));
                    pos += 4;
                    // the shortest decimal of the float: an epsilon stored as f32 1e-5 reads back as 1e-5, not 9.99999974738e-6
                    return new Meta(type, Double.parseDouble(Float.toString(v)), null, 0, at);
                }
                case F64 -> {
                    need(8, where);
                    double v = wb.getDouble((int) (pos - windowStart));
                    pos += 8;
                    return new Meta(type, v, null, 0, at);
                }
                case STRING -> {
                    return new Meta(type, 0, string(where), 0, at);
                }
                case ARRAY -> {
                    if (depth >= MAX_ARRAY_DEPTH) throw new InvalidInputException(r.source(), where + " (offset " + at + ")", "arrays nested too deep");
                    int elemType = (int) u32();
                    if (elemType < 0 || elemType > F64) {
                        throw new InvalidInputException(r.source(), where + " (offset " + (pos - 4) + ")", "unknown array element type " + elemType);
                    }
                    long minBytes = elemType == STRING || elemType == ARRAY ? 8 : SCALAR_BYTES[elemType];
                    long n = count(where + " array length", minBytes);
                    boolean keep = depth == 0 && key.startsWith("tokenizer.ggml.") && elemType != ARRAY;
                    if (keep && elemType == STRING) {
                        List<String> strings = new ArrayList<>((int) n);
                        for (long i = 0; i < n; i++) strings.add(string(where + " element " + i));
                        return new Meta(type, 0, null, n, at, strings, null);
                    }
                    if (keep) {
                        double[] numbers = new double[(int) n];
                        for (int i = 0; i < n; i++) numbers[i] = value(key, elemType, pos, depth + 1).number();
                        return new Meta(type, 0, null, n, at, null, numbers);
                    }
                    if (elemType != STRING && elemType != ARRAY) {
                        pos += n * SCALAR_BYTES[elemType]; // skipped: checked against the file by count()
                    } else {
                        for (long i = 0; i < n; i++) value(key, elemType, pos, depth + 1);
                    }
                    return new Meta(type, 0, null, n, at);
                }
                default -> throw new InvalidInputException(r.source(), where + " (offset " + (pos - 4) + ")", "unknown value type " + type);
            }
        }
    }
}
