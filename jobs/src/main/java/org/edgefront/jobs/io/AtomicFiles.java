package org.edgefront.jobs.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes result files through the Hadoop {@link FileSystem} API (file://, hdfs://, s3a://, plain paths)
 * so that a reader never sees a partial file: data goes to a hidden temporary sibling first and is
 * renamed into place. Stateless and thread-safe.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Resolves a user path or URI to a qualified Hadoop path. */
    public static Path path(String uriOrPath) {
        URI u = URI.create(uriOrPath.replace(" ", "%20"));
        return u.getScheme() == null ? new Path(new java.io.File(uriOrPath).getAbsoluteFile().toURI()) : new Path(u);
    }

    /** The file system of {@code p}; on local disks without Hadoop's {@code .crc} side files. */
    public static FileSystem fs(Path p) {
        try {
            FileSystem fs = p.getFileSystem(new Configuration());
            if (fs instanceof org.apache.hadoop.fs.LocalFileSystem local) local.setWriteChecksum(false);
            return fs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open file system for " + p, e);
        }
    }

    /** Writes {@code text} to {@code target} atomically (temporary file, then rename), replacing any old file. */
    public static void writeString(Path target, String text) {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code bytes} to {@code target} atomically, replacing any old file. */
    public static void writeBytes(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    /** Body of an atomic write. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Streams into a temporary sibling of {@code target}, then renames it over {@code target}. */
    public static void write(Path target, Writer body) {
        FileSystem fs = fs(target);
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            fs.mkdirs(target.getParent());
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                body.writeTo(out);
                out.hsync();
            }
            if (fs.exists(target) && !fs.delete(target, false)) throw new IOException("cannot replace " + target);
            if (!fs.rename(tmp, target)) throw new IOException("cannot rename " + tmp + " to " + target);
        } catch (IOException e) {
            try {
                fs.delete(tmp, false);
            } catch (IOException ignored) {
                // best effort: the temporary file is hidden and harmless
            }
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    /** Reads a whole (small) file as UTF-8. */
    public static String readString(Path p) {
        FileSystem fs = fs(p);
        try (var in = fs.open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }
}
