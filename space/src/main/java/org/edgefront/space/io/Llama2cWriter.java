package org.edgefront.space.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;

/**
 * Writes weights as a llama2.c version-0 checkpoint that {@link Llama2cCheckpoint} reads back exactly
 * (float32; {@code freq_cis} computed as llama2.c's exporter does). The format stores neither a name,
 * the synthetic label, the norm epsilon nor the RoPE base, so only Llama-family weights with epsilon
 * 1e-5 and base 10000 are accepted. Stateless; reads each tensor once and streams it out.
 */
public final class Llama2cWriter {
    private Llama2cWriter() { }

    /** Writes with a default Hadoop configuration. */
    public static void write(ModelWeights weights, String uri) throws IOException {
        write(weights, uri, new Configuration());
    }

    /**
     * Writes a checkpoint (overwriting any file there).
     *
     * @throws IllegalArgumentException when the format cannot represent the architecture
     */
    public static void write(ModelWeights weights, String uri, Configuration conf) throws IOException {
        ModelArchitecture a = weights.architecture();
        if (a.family() != ArchitectureFamily.LLAMA) throw new IllegalArgumentException("llama2.c holds only Llama-family models, not " + a.family());
        if (a.rotaryDims() != a.headDim()) throw new IllegalArgumentException("llama2.c rotates whole heads, not " + a.rotaryDims() + " of " + a.headDim());
        if (a.ropeScaling().type() != org.edgefront.space.model.RopeScaling.Type.DEFAULT) {
            throw new IllegalArgumentException("llama2.c files hold plain RoPE; " + a.name() + " uses " + a.ropeScaling().type().configName() + " scaling");
        }
        if (a.normEps() != 1e-5 || a.ropeTheta() != 10000.0) {
            throw new IllegalArgumentException("llama2.c files imply norm epsilon 1e-5 and RoPE base 10000; " + a.name()
                    + " has " + a.normEps() + " and " + a.ropeTheta());
        }
        Llama2cCheckpoint.Header h = new Llama2cCheckpoint.Header(a.dim(), a.hiddenDim(), a.layers(), a.heads(), a.kvHeads(),
                a.vocabSize(), a.maxSeqLen(), a.tiedEmbeddings());
        HadoopFiles.write(uri, conf, raw -> {
            OutputStream out = new BufferedOutputStream(raw, 1 << 16);
            ByteBuffer hb = ByteBuffer.allocate(Llama2cCheckpoint.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            h.writeTo(hb);
            out.write(hb.array());
            put(out, weights, TensorSpec.canonicalName(TensorRole.EMBEDDING, -1));
            for (int l = 0; l < a.layers(); l++) put(out, weights, ModelArchitecture.attentionNormName(l));
            for (TensorRole role : new TensorRole[] {TensorRole.Q, TensorRole.K, TensorRole.V, TensorRole.O}) {
                for (int l = 0; l < a.layers(); l++) put(out, weights, TensorSpec.canonicalName(role, l));
            }
            for (int l = 0; l < a.layers(); l++) put(out, weights, ModelArchitecture.ffnNormName(l));
            // llama2.c order: w1 (gate), w2 (down), w3 (up)
            for (TensorRole role : new TensorRole[] {TensorRole.GATE, TensorRole.DOWN, TensorRole.UP}) {
                for (int l = 0; l < a.layers(); l++) put(out, weights, TensorSpec.canonicalName(role, l));
            }
            put(out, weights, ModelArchitecture.outputNormName());
            int half = a.headDim() / 2;
            float[] cos = new float[a.maxSeqLen() * half];
            float[] sin = new float[a.maxSeqLen() * half];
            for (int t = 0; t < a.maxSeqLen(); t++) {
                for (int i = 0; i < half; i++) {
                    double freq = 1.0 / Math.pow(a.ropeTheta(), (2.0 * i) / a.headDim());
                    cos[t * half + i] = (float) Math.cos(t * freq);
                    sin[t * half + i] = (float) Math.sin(t * freq);
                }
            }
            TensorEncoding.write(out, cos, StorageType.F32);
            TensorEncoding.write(out, sin, StorageType.F32);
            if (!a.tiedEmbeddings()) put(out, weights, TensorSpec.canonicalName(TensorRole.LM_HEAD, -1));
            out.flush();
        });
    }

    private static void put(OutputStream out, ModelWeights w, String name) throws IOException {
        TensorEncoding.write(out, w.read(name), StorageType.F32);
    }
}
