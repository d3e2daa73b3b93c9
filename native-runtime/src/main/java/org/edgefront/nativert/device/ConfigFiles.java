package org.edgefront.nativert.device;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.edgefront.space.input.InvalidInputException;

/** Lists and reads config files (profiles, descriptors, measurement CSVs) through Hadoop's FileSystem. Stateless. */
public final class ConfigFiles {
    /** Config files are small; anything bigger is not read into memory. */
    public static final long MAX_FILE_BYTES = 1 << 20;

    private ConfigFiles() {}

    /**
     * The whole text (UTF-8) of a config file of at most {@link #MAX_FILE_BYTES}.
     *
     * @throws InvalidInputException naming the file when it is missing, unreadable or too large
     */
    public static String read(String uriOrPath) {
        Path p = new Path(uriOrPath);
        try {
            FileSystem fs = p.getFileSystem(new Configuration());
            long len = fs.getFileStatus(p).getLen();
            if (len > MAX_FILE_BYTES) throw new InvalidInputException(uriOrPath, "(file)", "is " + len + " bytes; a config file is at most " + MAX_FILE_BYTES);
            try (java.io.InputStream in = fs.open(p)) {
                return new String(in.readNBytes((int) len), java.nio.charset.StandardCharsets.UTF_8);
            }
        } catch (java.io.FileNotFoundException e) {
            throw new InvalidInputException(uriOrPath, "(file)", "not found");
        } catch (IOException e) {
            throw new InvalidInputException(uriOrPath, "(file)", "cannot be read: " + e.getMessage(), e);
        }
    }

    /** Every {@code *.yaml} directly in a directory, sorted by name. */
    public static List<String> listYaml(String dir) {
        Path p = new Path(dir);
        try {
            FileSystem fs = p.getFileSystem(new Configuration());
            List<String> out = new ArrayList<>();
            for (FileStatus s : fs.listStatus(p)) {
                if (s.isFile() && s.getPath().getName().endsWith(".yaml")) out.add(s.getPath().toString());
            }
            out.sort(null);
            return out;
        } catch (java.io.FileNotFoundException e) {
            throw new InvalidInputException(dir, "(directory)", "not found");
        } catch (IOException e) {
            throw new InvalidInputException(dir, "(directory)", "cannot be listed: " + e.getMessage(), e);
        }
    }
}
