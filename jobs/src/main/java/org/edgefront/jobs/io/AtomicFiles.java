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
        if (u.getScheme() != null) return new Path(u);
        // no trailing slash even for existing directories (File.toURI adds one), so children print cleanly
        String local = java.nio.file.Path.of(uriOrPath).toAbsolutePath().normalize().toUri().toString();
        return new Path(local.length() > "file:///".length() && local.endsWith("/") ? local.substring(0, local.length() - 1) : local);
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
            replace(fs, tmp, target);
        } catch (IOException e) {
            try {
                fs.delete(tmp, false);
            } catch (IOException ignored) {
                // best effort: the temporary file is hidden and harmless
            }
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    /**
     * Renames {@code tmp} over {@code target}. Rename first: on local and POSIX-like file systems it replaces
     * the old file atomically, so a reader (or a kill -9) never finds the target missing. Stores whose rename
     * refuses to overwrite (HDFS) fall back to delete, then rename.
     */
    public static void replace(FileSystem fs, Path tmp, Path target) throws IOException {
        // Hadoop's rename moves a file into an existing directory instead of replacing it
        if (fs.exists(target) && fs.getFileStatus(target).isDirectory()) throw new IOException(target + " is a directory");
        if (fs.rename(tmp, target)) return;
        if (fs.exists(target) && !fs.delete(target, false)) throw new IOException("cannot replace " + target);
        if (!fs.rename(tmp, target)) throw new IOException("cannot rename " + tmp + " to " + target);
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
