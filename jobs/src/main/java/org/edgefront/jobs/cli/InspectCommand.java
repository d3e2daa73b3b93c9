package org.edgefront.jobs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code edgefront inspect MODEL}: architecture, parameter counts and the linear tensors. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print a model's architecture, parameter counts and linear tensors.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = Models.FORMATS + ", or " + Models.SYNTHETIC + ".")
    String model;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
        ModelArchitecture a;
        try (ModelWeights w = new ModelSource(model).open()) {
            a = w.architecture();
        } catch (IOException e) {
            throw new InvalidInputException(model, "(file)", "cannot read: " + e.getMessage(), e);
        }
        ObjectNode n = describe(model, a);
        java.util.Map<String, String> stored = null;
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
        try {
            if (!model.startsWith("synthetic:") && org.edgefront.space.io.GgufFile.hasMagic(model, conf)) {
                // a GGUF stores each tensor in its own ggml type: show which
                stored = org.edgefront.space.io.GgufFile.tensorTypes(model, conf);
                ObjectNode st = n.putObject("stored_types");
                stored.forEach(st::put);
            }
        } catch (IOException e) {
            throw new InvalidInputException(model, "(file)", "cannot read: " + e.getMessage(), e);
        }
        if (json) {
            JsonOut.print(System.out, n);
        } else {
            System.out.printf("%s (%s%s): dim %d, ffn %d, %d layers, %d heads (%d KV), vocab %d, context %d, %s embeddings%n",
                    a.name(), a.family(), a.synthetic() ? ", synthetic" : "", a.dim(), a.hiddenDim(), a.layers(), a.heads(),
                    a.kvHeads(), a.vocabSize(), a.maxSeqLen(), a.tiedEmbeddings() ? "tied" : "separate");
            System.out.printf("parameters: %,d (linear %,d, norms %,d)%n", a.parameterCount(), a.linearParameterCount(), a.normParameterCount());
            for (TensorSpec t : a.linearTensors()) {
                System.out.printf("  %-28s %-9s %6d x %-6d %,12d%s%n", t.name(), t.role(), t.rows(), t.cols(), t.parameterCount(),
                        stored != null && stored.containsKey(t.name()) ? "  " + stored.get(t.name()) : "");
            }
        }
        return 0;
    }

    static ObjectNode describe(String source, ModelArchitecture a) {
        ObjectNode n = JsonOut.object();
        n.put("source", source);
        n.put("name", a.name());
        n.put("family", a.family().name().toLowerCase(java.util.Locale.ROOT));
        n.put("synthetic", a.synthetic());
        n.put("dim", a.dim());
        n.put("hidden_dim", a.hiddenDim());
        n.put("layers", a.layers());
        n.put("heads", a.heads());
        n.put("kv_heads", a.kvHeads());
        n.put("head_dim", a.headDim());
        if (a.rotaryDims() != a.headDim()) n.put("rotary_dims", a.rotaryDims());   // partial rotary: Phi-2, Phi-4-mini
        n.put("vocab_size", a.vocabSize());
        n.put("max_seq_len", a.maxSeqLen());
        n.put("tied_embeddings", a.tiedEmbeddings());
        n.put("norm_eps", a.normEps());
        n.put("rope_theta", a.ropeTheta());
        if (a.ropeScaling().type() != org.edgefront.space.model.RopeScaling.Type.DEFAULT) {
            n.putObject("rope_scaling").put("type", a.ropeScaling().type().configName()).put("factor", a.ropeScaling().factor());
        }
        ObjectNode counts = n.putObject("parameters");
        counts.put("total", a.parameterCount());
        counts.put("linear", a.linearParameterCount());
        counts.put("norms", a.normParameterCount());
        ArrayNode ts = n.putArray("tensors");
        for (TensorSpec t : a.linearTensors()) {
            ObjectNode o = ts.addObject();
            o.put("name", t.name());
            o.put("role", t.role().name().toLowerCase(java.util.Locale.ROOT));
            o.put("layer", t.layer());
            o.putArray("shape").add(t.rows()).add(t.cols());
            o.put("parameters", t.parameterCount());
        }
        return n;
    }
}
