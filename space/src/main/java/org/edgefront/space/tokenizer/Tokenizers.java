package org.edgefront.space.tokenizer;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.edgefront.space.io.GgufFile;
import org.edgefront.space.io.HadoopFiles;

/**
 * Opens a tokenizer of any supported kind by what the path is: a Hugging Face {@code tokenizer.json}
 * (a {@code .json} file, or a model directory holding one, whose {@code config.json} names BOS/EOS), a GGUF
 * file (the tokenizer it carries, {@link GgufTokenizers}), or a llama2.c tokenizer file. Stateless.
 */
public final class Tokenizers {
    private Tokenizers() {}

    /**
     * @param uri       tokenizer file or Hugging Face model directory (any Hadoop URI or local path)
     * @param vocabSize the model's vocabulary (llama2.c tokenizers store no size of their own)
     */
    public static Tokenizer load(String uri, int vocabSize) throws IOException {
        Configuration conf = new Configuration();
        if (uri.endsWith(".json")) return HuggingFaceTokenizer.load(uri, null, null, conf);
        FileStatus st = HadoopFiles.statusOrNull(uri, conf);
        if (st != null && st.isDirectory()) return HuggingFaceTokenizer.loadDirectory(uri, conf);
        if (st != null && GgufFile.hasMagic(uri, conf)) return GgufTokenizers.load(uri, conf);
        return Llama2cTokenizer.load(uri, vocabSize);
    }
}
