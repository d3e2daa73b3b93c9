package org.edgefront.space.io;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.edgefront.space.ggml.GgmlType;
import org.edgefront.space.input.InvalidInputException;

/**
 * Random-access reads of one file by byte range (positioned {@code readFully}), so a checkpoint is
 * never read whole. Owns its stream and file system; close it when done.
 *
 * <p>Thread-safe: reads are serialized on the underlying stream.
 */
public final class RangeReader implements Closeable {
    /** Bytes decoded per chunk: bounds the temporary buffer whatever the tensor size. */
    private static final int CHUNK_BYTES = 1 << 20;

    private final String source;
    private final FileSystem fs;
    private final FSDataInputStream in;
    private final long length;

    RangeReader(String source, FileSystem fs, FSDataInputStream in, long length) {
        this.source = source;
        this.fs = fs;
        this.in = in;
        this.length = length;
    }

    /** The URI or path this reader was opened from. */
    public String source() { return source; }

    /** File length in bytes. */
    public long length() { return length; }

    /**
     * Reads exactly {@code len} bytes at {@code position}.
     *
     * @throws InvalidInputException when the range lies outside the file
     */
    public void readFully(long position, byte[] buf, int off, int len) throws IOException {
        if (position < 0 || len < 0 || position > length - len) {
            throw new InvalidInputException(source, "offset " + position,
                    "range of " + len + " bytes lies outside the file of " + length + " bytes");
        }
        synchronized (in) {
            try {
                in.readFully(position, buf, off, len);
            } catch (EOFException e) {
                throw new InvalidInputException(source, "offset " + position, "file ended early (was it truncated?)", e);
            }
        }
    }

    /** Reads {@code len} bytes at {@code position} into a new little-endian buffer (len bounded by the caller). */
    public ByteBuffer readLittleEndian(long position, int len) throws IOException {
        byte[] b = new byte[len];
        readFully(position, b, 0, len);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Reads {@code count} values of a per-value float type at {@code position}, decoded to float. */
    public float[] readFloats(long position, long count, StorageType type) throws IOException {
        return readFloats(position, count, type.ggml());
    }

    /**
     * Reads {@code count} values of a ggml type starting at {@code position} and decodes them to float
     * ({@link GgmlType#dequantizer()}), a chunk of whole blocks at a time.
     *
     * @param count number of values; at most {@code Integer.MAX_VALUE - 8}
     */
    public float[] readFloats(long position, long count, GgmlType type) throws IOException {
        if (count < 0 || count > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException(source, "offset " + position, count + " values do not fit one Java array");
        }
        if (!type.fits(count)) {
            throw new InvalidInputException(source, "offset " + position, count + " values do not fill whole " + type + " blocks");
        }
        float[] out = new float[(int) count];
        int bv = type.blockValues();
        int bb = type.blockBytes();
        int blocksPerChunk = Math.max(1, CHUNK_BYTES / bb);
        long blocks = count / bv;
        byte[] buf = new byte[(int) Math.min((long) blocksPerChunk * bb, blocks * bb)];
        long doneBlocks = 0;
        while (doneBlocks < blocks) {
            int n = (int) Math.min(blocksPerChunk, blocks - doneBlocks);
            readFully(position + doneBlocks * bb, buf, 0, n * bb);
            type.dequantizer().dequantize(buf, 0, n, out, (int) (doneBlocks * bv));
            doneBlocks += n;
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        try {
            in.close();
        } finally {
            fs.close();
        }
    }
}
