package org.edgefront.space.io;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.edgefront.space.input.InvalidInputException;

/**
 * Small helpers over the Hadoop {@code FileSystem} API that accept both URIs ({@code file:///x},
 * {@code hdfs://nn/x}, {@code s3a://b/x}) and plain local paths ({@code ../shared/models/x.bin}).
 *
 * <p>Every method takes the {@link Configuration} to use; the one-argument forms use a fresh default
 * configuration. File systems are obtained with {@link FileSystem#newInstance}, owned by whatever
 * this class returns (a {@link RangeReader} closes its own), so nothing here touches Hadoop's shared
 * file-system cache. Stateless and thread-safe.
 */
public final class HadoopFiles {
    private HadoopFiles() { }

    /** Turns a URI or a plain local path into a fully qualified Hadoop path. */
    public static Path toPath(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new InvalidInputException("-", "path", "empty path or URI");
        }
        if (hasScheme(uri)) {
            try {
                return new Path(new URI(uri));
            } catch (URISyntaxException e) {
                throw new InvalidInputException(uri, "uri", "not a valid URI: " + e.getMessage(), e);
            }
        }
        return new Path(new File(uri).getAbsoluteFile().toURI());
    }

    private static boolean hasScheme(String s) {
        int colon = s.indexOf(':');
        // one-letter "schemes" are Windows drive letters, not URIs
        if (colon < 2) return false;
        for (int i = 0; i < colon; i++) {
            char c = s.charAt(i);
            boolean ok = Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.';
            if (!ok || (i == 0 && !Character.isLetter(c))) return false;
        }
        return true;
    }

    /** A new (uncached) file system for the path; the caller closes it. */
    public static FileSystem newFileSystem(Path path, Configuration conf) throws IOException {
        try {
            return FileSystem.newInstance(path.toUri(), conf);
        } catch (org.apache.hadoop.fs.UnsupportedFileSystemException e) {
            throw new InvalidInputException(path.toString(), "scheme", "no file system for scheme '" + path.toUri().getScheme()
                    + "' (is its Hadoop connector, e.g. hadoop-aws for s3a, on the classpath?)", e);
        }
    }

    /** Opens a file for random-access reads; the caller closes the reader. */
    public static RangeReader open(String uri) throws IOException {
        return open(uri, new Configuration());
    }

    /**
     * Opens a file for random-access reads; the caller closes the reader.
     *
     * @throws InvalidInputException when the file does not exist or is a directory
     */
    public static RangeReader open(String uri, Configuration conf) throws IOException {
        Path path = toPath(uri);
        FileSystem fs = newFileSystem(path, conf);
        try {
            FileStatus st;
            try {
                st = fs.getFileStatus(path);
            } catch (java.io.FileNotFoundException e) {
                throw new InvalidInputException(uri, "path", "no such file");
            }
            if (st.isDirectory()) throw new InvalidInputException(uri, "path", "is a directory, expected a file");
            FSDataInputStream in = fs.open(path);
            return new RangeReader(uri, fs, in, st.getLen());
        } catch (IOException | RuntimeException e) {
            fs.close();
            throw e;
        }
    }

    /** Builds something from an open reader and, when it returns, owns the reader (closes it with its result). */
    @FunctionalInterface
    public interface ReaderParser<T> {
        T parse(RangeReader reader) throws IOException;
    }

    /**
     * Opens {@code uri} and hands the reader to {@code parser}: the result owns the reader; when the parser fails the
     * reader is closed here, so no file handle leaks from malformed input.
     */
    public static <T> T openWith(String uri, Configuration conf, ReaderParser<T> parser) throws IOException {
        RangeReader r = open(uri, conf);
        try {
            return parser.parse(r);
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /** File status, or null when nothing exists at the path. */
    public static FileStatus statusOrNull(String uri, Configuration conf) throws IOException {
        Path path = toPath(uri);
        try (FileSystem fs = newFileSystem(path, conf)) {
            return fs.getFileStatus(path);
        } catch (java.io.FileNotFoundException e) {
            return null;
        }
    }

    /**
     * Reads a whole (small) file as bytes.
     *
     * @param maxBytes refuse files larger than this, before allocating
     * @throws InvalidInputException when the file is missing or larger than {@code maxBytes}
     */
    public static byte[] readAll(String uri, long maxBytes, Configuration conf) throws IOException {
        try (RangeReader r = open(uri, conf)) {
            long len = r.length();
            if (len > maxBytes || len > Integer.MAX_VALUE - 8) {
                throw new InvalidInputException(uri, "length", len + " bytes is more than the limit of " + maxBytes + " bytes");
            }
            byte[] b = new byte[(int) len];
            r.readFully(0, b, 0, b.length);
            return b;
        }
    }

    /** Reads a whole (small) UTF-8 text file; see {@link #readAll(String, long, Configuration)}. */
    public static String readUtf8(String uri, long maxBytes, Configuration conf) throws IOException {
        return new String(readAll(uri, maxBytes, conf), StandardCharsets.UTF_8);
    }

    /** Joins a directory URI and a child name (works for plain paths and URIs). */
    public static String child(String dirUri, String name) {
        return new Path(toPath(dirUri), name).toString();
    }

    /**
     * Creates (or overwrites) a file and hands its stream to the writer. Local checksum side files
     * ({@code .crc}) are not written, so a generated checkpoint directory holds only real files.
     */
    public static void write(String uri, Configuration conf, StreamWriter writer) throws IOException {
        Path path = toPath(uri);
        try (FileSystem fs = newFileSystem(path, conf)) {
            fs.setWriteChecksum(false);
            try (OutputStream out = fs.create(path, true)) {
                writer.write(out);
            }
        }
    }

    /** Creates a directory (and parents). */
    public static void mkdirs(String uri, Configuration conf) throws IOException {
        Path path = toPath(uri);
        try (FileSystem fs = newFileSystem(path, conf)) {
            fs.mkdirs(path);
        }
    }

    /** Writes bytes to an open stream; see {@link #write}. */
    @FunctionalInterface
    public interface StreamWriter {
        void write(OutputStream out) throws IOException;
    }
}
