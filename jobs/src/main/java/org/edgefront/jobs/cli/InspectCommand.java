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
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
        org.edgefront.nativert.device.ModelDescriptor described = null; // a GGUF without a forward pass: its metadata's shapes
        String noForwardPass = null;
        try (ModelWeights w = new ModelSource(model).open()) {
            a = w.architecture();
        } catch (InvalidInputException e) {
            if (!"general.architecture".equals(e.field()) || !isGguf(model, conf)) throw e;
            // no forward pass for this architecture (gpt-oss, qwen3moe, deepseek2, ...): the simulator still reads its shapes
            try {
                described = org.edgefront.nativert.ModelCatalog.fromGguf(org.edgefront.space.io.GgufFile.header(model, conf));
            } catch (IOException io) {
                throw new InvalidInputException(model, "(file)", "cannot read: " + io.getMessage(), io);
            }
            a = described.storedArchitecture();
            noForwardPass = e.getMessage();
        } catch (IOException e) {
            throw new InvalidInputException(model, "(file)", "cannot read: " + e.getMessage(), e);
        }
        ObjectNode n = describe(model, a);
        n.put("forward_pass", described == null);
        if (described != null) describeSimulated(n, described, noForwardPass);
        java.util.Map<String, String> stored = null;
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
            if (described != null) {
                System.out.printf("no forward pass (%s): shapes as the simulator reads them from the metadata; simulate takes this file, "
                        + "eval and search do not%s%s%s%n", noForwardPass,
                        described.moe() ? String.format(", %d experts (%d active, %d leading dense blocks; FFN tensors stack them)",
                                described.experts().experts(), described.experts().activeExperts(), described.experts().leadingDenseLayers()) : "",
                        described.latentAttention() ? String.format(", latent attention caching %d elements per position and block",
                                described.latent().cacheRows(described.heads())) : "",
                        described.slidingWindow().tokens() > 0 ? String.format(", sliding window of %d tokens on %d of every %d blocks",
                                described.slidingWindow().tokens(), described.slidingWindow().pattern() - 1, described.slidingWindow().pattern()) : "");
            }
            for (TensorSpec t : a.linearTensors()) {
                System.out.printf("  %-28s %-9s %6d x %-6d %,12d%s%n", t.name(), t.role(), t.rows(), t.cols(), t.parameterCount(),
                        stored != null && stored.containsKey(t.name()) ? "  " + stored.get(t.name()) : "");
            }
        }
        return 0;
    }

    private static boolean isGguf(String model, org.apache.hadoop.conf.Configuration conf) {
        try {
            return !model.startsWith("synthetic:") && org.edgefront.space.io.GgufFile.hasMagic(model, conf);
        } catch (IOException e) {
            return false;
        }
    }

    /** What the simulator knows beyond the tensors of a model without a forward pass: why, and its structure. */
    private static void describeSimulated(ObjectNode n, org.edgefront.nativert.device.ModelDescriptor d, String reason) {
        n.put("forward_pass_reason", reason);
        describeStructure(n, d);
    }

    /**
     * A simulated model's structure beyond its tensors, for {@code --json} (shared by {@code inspect} and
     * {@code simulate}): its experts, latent attention and sliding window, each only when it has one.
     */
    static void describeStructure(ObjectNode n, org.edgefront.nativert.device.ModelDescriptor d) {
        if (d.moe()) {
            ObjectNode e = n.putObject("experts");
            e.put("count", d.experts().experts());
            e.put("active", d.experts().activeExperts());
            e.put("intermediate_size", d.experts().expertIntermediateSize());
            e.put("shared_intermediate_size", d.experts().sharedIntermediateSize());
            e.put("leading_dense_layers", d.experts().leadingDenseLayers());
        }
        if (d.latentAttention()) {
            ObjectNode la = n.putObject("latent_attention");
            la.put("q_lora_rank", d.latent().qLoraRank());
            la.put("kv_lora_rank", d.latent().kvLoraRank());
            la.put("qk_nope_head_dim", d.latent().qkNopeHeadDim());
            la.put("qk_rope_head_dim", d.latent().qkRopeHeadDim());
            la.put("v_head_dim", d.latent().vHeadDim());
            la.put("absorbed", d.latent().absorbed());
            la.put("cache_elements_per_position_per_layer", d.latent().cacheRows(d.heads()));
        }
        if (d.slidingWindow().tokens() > 0) {
            ObjectNode sw = n.putObject("sliding_window");
            sw.put("tokens", d.slidingWindow().tokens());
            sw.put("pattern", d.slidingWindow().pattern()); // layer l is global when l % pattern == pattern - 1
        }
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
