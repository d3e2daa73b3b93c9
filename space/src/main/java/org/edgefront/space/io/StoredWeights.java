package org.edgefront.space.io;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgefront.space.ggml.GgmlType;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;

/**
 * Weights stored in one or more files, each tensor a validated byte range read lazily on demand.
 * Owns its readers and closes them. Thread-safe (each reader serializes its own reads).
 */
final class StoredWeights implements ModelWeights {

    /**
     * Where one tensor lives.
     *
     * @param file        index into the readers list
     * @param offsetBytes absolute byte offset of the first value
     * @param count       number of values
     * @param type        storage type
     * @param rows        rows of the row-major matrix (1 for vectors)
     * @param ropeHeads   when > 0, rows are in Hugging Face rotate-half order for this many heads (over the
     *                    architecture's {@link ModelArchitecture#rotaryDims()} of each) and are put back into
     *                    interleaved-pair order on read; 0 means stored as is
     * @param addend      added to every value on read (Gemma 3's Hugging Face norm weights w, held as 1 + w:
     *                    {@link org.edgefront.space.model.ArchitectureFamily#hfNormOffset()}); 0 for most tensors
     */
    record Location(int file, long offsetBytes, long count, GgmlType type, int rows, int ropeHeads, float addend) {
        Location(int file, long offsetBytes, long count, GgmlType type, int rows, int ropeHeads) {
            this(file, offsetBytes, count, type, rows, ropeHeads, 0f);
        }
    }

    private final ModelArchitecture architecture;
    private final String source;
    private final List<RangeReader> readers;
    private final Map<String, Location> tensors;

    StoredWeights(ModelArchitecture architecture, String source, List<RangeReader> readers, Map<String, Location> tensors) {
        this.architecture = architecture;
        this.source = source;
        this.readers = List.copyOf(readers);
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    @Override
    public ModelArchitecture architecture() { return architecture; }

    @Override
    public float[] read(String tensorName) throws IOException {
        Location loc = tensors.get(tensorName);
        if (loc == null) throw new IllegalArgumentException("no tensor named " + tensorName + " in " + source);
        float[] v = readers.get(loc.file()).readFloats(loc.offsetBytes(), loc.count(), loc.type());
        if (loc.ropeHeads() > 0) v = RopeLayout.rotateHalfToInterleaved(v, loc.rows(), loc.ropeHeads(), architecture.rotaryDims());
        if (loc.addend() != 0) for (int i = 0; i < v.length; i++) v[i] += loc.addend();
        return v;
    }

    @Override
    public Set<String> tensorNames() { return tensors.keySet(); }

    /** Storage type of a tensor as found in the file (before decoding to float). */
    GgmlType storageType(String tensorName) {
        Location loc = tensors.get(tensorName);
        if (loc == null) throw new IllegalArgumentException("no tensor named " + tensorName + " in " + source);
        return loc.type();
    }

    @Override
    public String source() { return source; }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (RangeReader r : readers) {
            try {
                r.close();
            } catch (IOException e) {
                if (first == null) first = e; else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }
}
