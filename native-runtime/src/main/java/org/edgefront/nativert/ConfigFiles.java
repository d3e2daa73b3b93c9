package org.edgefront.nativert;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.edgefront.space.input.InvalidInputException;

/** Lists config files through Hadoop's FileSystem. Stateless. */
final class ConfigFiles {
    private ConfigFiles() {}

    /** Every {@code *.yaml} directly in a directory, sorted by name. */
    static List<String> listYaml(String dir) {
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
