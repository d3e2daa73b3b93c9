package org.edgefront.space.io;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelWeights;

/**
 * Opens a checkpoint of any supported format, deciding by what is at the URI:
 * <ul>
 *   <li>a directory with {@code config.json} (or that {@code config.json} itself): Hugging Face, {@link HuggingFaceModel};</li>
 *   <li>a lone {@code .safetensors} file: rejected with a request for its directory (the config is needed);</li>
 *   <li>a file starting with the GGUF magic: {@link GgufFile};</li>
 *   <li>anything else: a llama2.c checkpoint, {@link Llama2cCheckpoint}.</li>
 * </ul>
 * Stateless; the caller closes the returned weights.
 */
public final class ModelLoader {
    private ModelLoader() { }

    /** Opens a checkpoint with a default Hadoop configuration. */
    public static ModelWeights open(String uri) throws IOException {
        return open(uri, new Configuration());
    }

    /**
     * Opens a checkpoint.
     *
     * @throws InvalidInputException when nothing is there, the format is not recognized or the file is malformed
     */
    public static ModelWeights open(String uri, Configuration conf) throws IOException {
        FileStatus st = HadoopFiles.statusOrNull(uri, conf);
        if (st == null) throw new InvalidInputException(uri, "path", "no such file or directory");
        if (st.isDirectory()) {
            if (HadoopFiles.statusOrNull(HadoopFiles.child(uri, HuggingFaceModel.CONFIG), conf) == null) {
                throw new InvalidInputException(uri, HuggingFaceModel.CONFIG, "directory has no config.json; expected a Hugging Face model directory");
            }
            return HuggingFaceModel.open(uri, conf);
        }
        String path = st.getPath().getName();
        if (path.equals(HuggingFaceModel.CONFIG)) {
            return HuggingFaceModel.open(st.getPath().getParent().toString(), conf);
        }
        if (path.endsWith(".safetensors") || path.endsWith(".safetensors.index.json")) {
            throw new InvalidInputException(uri, "path", "pass the Hugging Face model directory (with config.json), not a weights file");
        }
        if (GgufFile.hasMagic(uri, conf)) {
            return GgufFile.open(uri, conf);
        }
        return Llama2cCheckpoint.open(uri, conf);
    }
}
