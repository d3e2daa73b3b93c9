package org.edgefront.space.io;

/**
 * How tensor values are stored on disk; all decode to float on read. Little-endian throughout.
 * Per-value types store one value in {@link #blockBytes()} bytes; block types (llama.cpp's
 * {@code Q8_0}, {@code Q4_0}) store {@link #blockValues()} values with their fp16 scale.
 */
public enum StorageType {
    /** IEEE 754 binary32. */
    F32(1, 4),
    /** IEEE 754 binary16. */
    F16(1, 2),
    /** bfloat16: the upper half of a binary32. */
    BF16(1, 2),
    /** llama.cpp Q8_0: per 32 values an fp16 scale d and 32 int8 q; value = d x q. */
    Q8_0(32, 34),
    /** llama.cpp Q4_0: per 32 values an fp16 scale d and 16 bytes of nibbles; value j = d x (nibble - 8), low nibbles first. */
    Q4_0(32, 18);

    private final int blockValues;
    private final int blockBytes;

    StorageType(int blockValues, int blockBytes) {
        this.blockValues = blockValues;
        this.blockBytes = blockBytes;
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
