package org.edgefront.space.io;

import org.edgefront.space.ggml.GgmlType;

/**
 * Per-value float types of safetensors and llama2.c files; all decode to float on read, little-endian.
 * Each is also a ggml type ({@link #ggml()}), which is where decoding lives; GGUF files, which may hold any
 * ggml type, use {@link GgmlType} directly.
 */
public enum StorageType {
    /** IEEE 754 binary32. */
    F32(1, 4),
    /** IEEE 754 binary16. */
    F16(1, 2),
    /** bfloat16: the upper half of a binary32. */
    BF16(1, 2);

    private final int blockValues;
    private final int blockBytes;

    StorageType(int blockValues, int blockBytes) {
        this.blockValues = blockValues;
        this.blockBytes = blockBytes;
    }

    /** The same type as ggml names it. */
    public GgmlType ggml() {
        return switch (this) {
            case F32 -> GgmlType.F32;
            case F16 -> GgmlType.F16;
            case BF16 -> GgmlType.BF16;
        };
    }

    /** Values per block (1 for per-value types). */
    public int blockValues() { return blockValues; }

    /** Bytes per block. */
    public int blockBytes() { return blockBytes; }

    /**
     * Bytes per stored value of a per-value type.
     *
     * @throws IllegalStateException for block types
     */
    public int bytesPerValue() {
        if (blockValues != 1) throw new IllegalStateException(this + " stores values in blocks of " + blockValues);
        return blockBytes;
    }

    /** True when {@code count} values fill whole blocks. */
    public boolean fits(long count) { return count % blockValues == 0; }

    /** Bytes of {@code count} values ({@code count} must fill whole blocks); -1 on overflow. */
    public long bytesFor(long count) {
        if (!fits(count)) throw new IllegalArgumentException(count + " values do not fill whole " + this + " blocks");
        long blocks = count / blockValues;
        return blocks > Long.MAX_VALUE / blockBytes ? -1 : blocks * blockBytes;
    }
}
