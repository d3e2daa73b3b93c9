package org.edgefront.space.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.input.InvalidInputException;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length N, N bytes of JSON mapping each
 * tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the end
 * of the header), then the data. An optional {@code __metadata__} object of strings is kept.
 *
 * <p>Opening validates everything before any tensor is read: the header length against the file size
 * and {@link #MAX_HEADER_BYTES}, the JSON, every dtype, that shape x dtype size equals the byte range,
 * that ranges lie inside the file and do not overlap. F32, F16 and BF16 tensors decode to float by
 * byte range on demand; other dtypes of the format are listed but cannot be read.
 *
 * <p>Owns its open file: close it. Thread-safe.
 */
public final class SafetensorsFile implements Closeable {
    /** Largest header accepted; real headers are a few hundred kilobytes. */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    /** Bytes per element of every dtype the safetensors format defines. */
    private static final Map<String, Integer> DTYPE_BYTES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1), Map.entry("F8_E5M2", 1),
            Map.entry("F8_E4M3", 1), Map.entry("I16", 2), Map.entry("U16", 2), Map.entry("F16", 2),
            Map.entry("BF16", 2), Map.entry("I32", 4), Map.entry("U32", 4), Map.entry("F32", 4),
            Map.entry("F64", 8), Map.entry("I64", 8), Map.entry("U64", 8));

    /**
     * One tensor's header entry.
     *
     * @param name      tensor name
     * @param dtype     dtype as written (e.g. {@code BF16})
     * @param shape     dimensions, outermost first
     * @param dataBegin first byte, relative to the start of the data section
     * @param dataEnd   one past the last byte, relative to the start of the data section
     */
    public record Tensor(String name, String dtype, List<Long> shape, long dataBegin, long dataEnd) {
        public Tensor {
            shape = List.copyOf(shape);
        }

        /** Number of elements (product of the shape; 1 for a scalar). */
        public long elementCount() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }

        /** The storage type when it decodes to float, else null. */
        public StorageType storageType() {
            return switch (dtype) {
                case "F32" -> StorageType.F32;
                case "F16" -> StorageType.F16;
                case "BF16" -> StorageType.BF16;
                default -> null;
            };
        }
    }

    private final RangeReader reader;
    private final long dataStart;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(RangeReader reader, long dataStart, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.reader = reader;
        this.dataStart = dataStart;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Opens and validates a file with a default Hadoop configuration. */
    public static SafetensorsFile open(String uri) throws IOException {
        return open(uri, new Configuration());
    }

    /**
     * Opens and validates a file.
     *
     * @throws InvalidInputException naming the file and the tensor or field at fault
     */
    public static SafetensorsFile open(String uri, Configuration conf) throws IOException {
        return HadoopFiles.openWith(uri, conf, SafetensorsFile::parse);
    }

    private static SafetensorsFile parse(RangeReader r) throws IOException {
        String f = r.source();
        long len = r.length();
        if (len < 8) throw new InvalidInputException(f, "header length (offset 0)", "file has only " + len + " bytes (empty or truncated)");
        long n = r.readLittleEndian(0, 8).getLong(0);
        if (n < 2 || n > MAX_HEADER_BYTES) {
            throw new InvalidInputException(f, "header length (offset 0)", "value " + n + " is out of range 2.." + MAX_HEADER_BYTES);
        }
        if (n > len - 8) {
            throw new InvalidInputException(f, "header length (offset 0)", "header of " + n + " bytes runs past the end of the " + len + "-byte file");
        }
        ByteBuffer hb = r.readLittleEndian(8, (int) n);
        JsonNode root;
        try {
            ObjectMapper om = new ObjectMapper();
            om.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            root = om.readTree(new String(hb.array(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new InvalidInputException(f, "header (offset 8)", "invalid JSON: " + firstLine(e.getMessage()), e);
        }
        if (root == null || !root.isObject()) throw new InvalidInputException(f, "header (offset 8)", "JSON header is not an object");
        long dataStart = 8 + n;
        long dataBytes = len - dataStart;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) throw new InvalidInputException(f, "__metadata__", "is not an object");
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual()) throw new InvalidInputException(f, "__metadata__." + kv.getKey(), "value is not a string");
                    metadata.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            tensors.put(name, tensor(f, name, v, dataBytes));
        }
        List<Tensor> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort(Comparator.comparingLong(Tensor::dataBegin).thenComparingLong(Tensor::dataEnd));
        Tensor prev = null;
        for (Tensor t : byOffset) {
            if (prev != null && t.dataBegin() < prev.dataEnd()) {
                throw new InvalidInputException(f, t.name(), "data_offsets [" + t.dataBegin() + ", " + t.dataEnd()
                        + "] overlap tensor " + prev.name() + " [" + prev.dataBegin() + ", " + prev.dataEnd() + "]");
            }
            if (t.dataEnd() > t.dataBegin()) prev = t;
        }
        return new SafetensorsFile(r, dataStart, tensors, metadata);
    }

    private static Tensor tensor(String f, String name, JsonNode v, long dataBytes) {
        if (!v.isObject()) throw new InvalidInputException(f, name, "entry is not an object");
        JsonNode dt = v.get("dtype");
        if (dt == null || !dt.isTextual()) throw new InvalidInputException(f, name + ".dtype", "missing or not a string");
        String dtype = dt.asText();
        Integer width = DTYPE_BYTES.get(dtype);
        if (width == null) throw new InvalidInputException(f, name + ".dtype", "unknown dtype '" + dtype + "'");
        JsonNode sh = v.get("shape");
        if (sh == null || !sh.isArray()) throw new InvalidInputException(f, name + ".shape", "missing or not an array");
        List<Long> shape = new ArrayList<>();
        long count = 1;
        for (JsonNode d : sh) {
            long dim = nonNegativeLong(f, name + ".shape", d);
            shape.add(dim);
            try {
                count = Math.multiplyExact(count, dim);
            } catch (ArithmeticException ex) {
                throw new InvalidInputException(f, name + ".shape", "shape " + sh + " has too many elements");
            }
        }
        JsonNode off = v.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2) {
            throw new InvalidInputException(f, name + ".data_offsets", "missing or not an array of two offsets");
        }
        long begin = nonNegativeLong(f, name + ".data_offsets", off.get(0));
        long end = nonNegativeLong(f, name + ".data_offsets", off.get(1));
        if (end < begin) throw new InvalidInputException(f, name + ".data_offsets", "end " + end + " is before begin " + begin);
        if (end > dataBytes) {
            throw new InvalidInputException(f, name + ".data_offsets", "end " + end + " lies beyond the " + dataBytes
                    + " bytes of data in the file (truncated?)");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(count, (long) width);
        } catch (ArithmeticException ex) {
            throw new InvalidInputException(f, name + ".shape", "shape " + sh + " has too many elements");
        }
        if (bytes != end - begin) {
            throw new InvalidInputException(f, name + ".data_offsets", "shape " + sh + " of " + dtype + " needs " + bytes
                    + " bytes but data_offsets [" + begin + ", " + end + "] give " + (end - begin));
        }
        return new Tensor(name, dtype, shape, begin, end);
    }

    private static long nonNegativeLong(String f, String field, JsonNode d) {
        if (d == null || !d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
            throw new InvalidInputException(f, field, "value " + d + " is not a non-negative integer");
        }
        return d.asLong();
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Where the file was opened from. */
    public String source() { return reader.source(); }

    /** Every tensor in header order. */
    public Map<String, Tensor> tensors() { return tensors; }

    /** The {@code __metadata__} strings (possibly empty). */
    public Map<String, String> metadata() { return metadata; }

    /** Absolute byte offset of the data section (8 + header length). */
    public long dataStart() { return dataStart; }

    /**
     * Reads a tensor, decoded to float, row-major.
     *
     * @throws IllegalArgumentException when no tensor has that name
     * @throws InvalidInputException when its dtype does not decode to float
     */
    public float[] read(String name) throws IOException {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor named " + name + " in " + source());
        StorageType st = t.storageType();
        if (st == null) throw new InvalidInputException(source(), name + ".dtype", "dtype " + t.dtype() + " cannot be read as float weights (F32, F16, BF16 can)");
        return reader.readFloats(dataStart + t.dataBegin(), t.elementCount(), st);
    }

    /** The reader, for {@link HuggingFaceModel} to take over. */
    RangeReader reader() { return reader; }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
