package org.edgefront.space.io;

import org.edgefront.space.ggml.GgmlType;

/**
 * Per-value float types of safetensors and llama2.c files; all decode to float on read, little-endian.
 * Each is also a ggml type ({@link #ggml()}), which is where decoding lives; GGUF files, which may hold any
 * ggml type, use {@link GgmlType} directly.
 */
public enum StorageType {
    /** IEEE 754 binary32. */
    F32,
    /** IEEE 754 binary16. */
    F16,
    /** bfloat16: the upper half of a binary32. */
    BF16;

    /** The same type as ggml names it. */
    public GgmlType ggml() {
        return switch (this) {
            case F32 -> GgmlType.F32;
            case F16 -> GgmlType.F16;
            case BF16 -> GgmlType.BF16;
        };
    }

    /** Values per block (1 for per-value types): the ggml type's. */
    public int blockValues() { return ggml().blockValues(); }

    /** Bytes per block: the ggml type's. */
    public int blockBytes() { return ggml().blockBytes(); }

    /**
     * Bytes per stored value of a per-value type.
     *
     * @throws IllegalStateException for block types
     */
    public int bytesPerValue() {
        if (blockValues() != 1) throw new IllegalStateException(this + " stores values in blocks of " + blockValues());
        return blockBytes();
    }

    /** True when {@code count} values fill whole blocks. */
    public boolean fits(long count) { return ggml().fits(count); }

    /** Bytes of {@code count} values ({@code count} must fill whole blocks); -1 on overflow. */
    public long bytesFor(long count) { return ggml().bytesFor(count); }
}
