package org.edgefront.jobs.spec;

import static org.edgefront.jobs.spec.SearchSpecLoader.require;

import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgefront.space.candidate.Decision;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;

/**
 * The spec's {@code space} section resolved: options (default {@link SearchSpace#DEFAULT_OPTIONS}), per-tensor
 * option globs, grouping and structural levers turned into the {@link SearchSpace} over the model. Immutable.
 *
 * @param spec  the space section with defaults filled in
 * @param space the search space
 */
public record ResolvedSpace(SearchSpec.Space spec, SearchSpace space) {

    /**
     * Resolves the space section of {@code s} read from {@code file} for a model of architecture {@code arch}.
     *
     * @throws InvalidInputException naming the file and key for an unknown or repeated option, a glob that matches
     *                               nothing, a bad grouping or structural lever
     */
    public static ResolvedSpace resolve(String file, SearchSpec s, ModelArchitecture arch) {
        SearchSpec.Space sp = s.space() == null ? new SearchSpec.Space(null, null, null, null, null) : s.space();
        String runtime = sp.runtime() == null ? "any" : sp.runtime();
        require(file, "space.runtime", runtime.equals("any") || runtime.equals("llama.cpp"), "must be 'any' or 'llama.cpp'");
        boolean llamaCpp = runtime.equals("llama.cpp");
        List<String> options = sp.options() != null ? sp.options()
                : llamaCpp ? SearchSpace.DEFAULT_OPTIONS.stream().filter(label -> org.edgefront.jobs.export.LlamaCppExport.whyNotStored(TensorChoice.parse(label)).isEmpty()).toList()
                : SearchSpace.DEFAULT_OPTIONS;
        require(file, "space.options", !options.isEmpty(), "must list at least one option");
        List<TensorChoice> defaultChoices = choices(file, "space.options", options);
        if (llamaCpp) storedByLlamaCpp(file, "space.options", defaultChoices);
        String grouping = sp.grouping() == null ? "tensor" : sp.grouping();
        require(file, "space.grouping", grouping.equals("tensor") || grouping.equals("qkv"), "must be 'tensor' or 'qkv'");
        Map<String, List<TensorChoice>> perTensor = new LinkedHashMap<>();
        for (TensorSpec t : arch.linearTensors()) perTensor.put(t.name(), defaultChoices);
        if (sp.tensorOptions() != null) {
            for (Map.Entry<String, List<String>> e : sp.tensorOptions().entrySet()) {
                String key = "space.tensorOptions." + e.getKey();
                PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + e.getKey());
                List<TensorChoice> cs = choices(file, key, e.getValue() == null ? List.of() : e.getValue());
                require(file, key, !cs.isEmpty(), "must list at least one option");
                if (llamaCpp) storedByLlamaCpp(file, key, cs);
                boolean any = false;
                for (TensorSpec t : arch.linearTensors()) {
                    if (glob.matches(java.nio.file.Path.of(t.name()))) {
                        perTensor.put(t.name(), cs);
                        any = true;
                    }
                }
                require(file, key, any, "matches no tensor of " + arch.name());
            }
        }
        require(file, "space.structure", !llamaCpp || sp.structure() == null,
                "llama.cpp takes per-tensor types for the model's own shapes, not pruned structure (space.runtime: llama.cpp)");
        SearchSpace space = new SearchSpace(arch, decisions(file, arch, perTensor, grouping),
                SearchSpecLoader.structure(file, key -> "space.structure" + (key.isEmpty() ? "" : "." + key), arch, sp.structure()));

        return new ResolvedSpace(new SearchSpec.Space(options, grouping, sp.tensorOptions(), sp.structure(), sp.runtime()), space);
    }

    private static List<Decision> decisions(String file, ModelArchitecture arch, Map<String, List<TensorChoice>> perTensor, String grouping) {
        List<Decision> ds = new ArrayList<>();
        // a stack the runtime loads only whole (Phi-3's gate | up in ffn_up) is one decision: its parts share a type, so
        // every front point can be written as llama.cpp stores it
        Map<String, ModelArchitecture.StackedTensor> stacks = arch.stacksByPart();
        for (TensorSpec t : arch.linearTensors()) {
            ModelArchitecture.StackedTensor st = stacks.get(t.name());
            if (st != null && !st.separable()) {
                if (!st.parts().get(0).name().equals(t.name())) continue; // decided with the stack's first part
                List<String> names = st.parts().stream().map(TensorSpec::name).toList();
                List<TensorChoice> opts = perTensor.get(t.name());
                for (String n : names) {
                    require(file, "space.tensorOptions", opts.equals(perTensor.get(n)),
                            "the parts of " + st.name() + " (" + String.join(", ", names) + ") are stored as one tensor and must have the same options");
                }
                ds.add(new Decision("blk." + t.layer() + ".ffn_gate_up", names, opts));
                continue;
            }
            if (grouping.equals("qkv") && (t.role() == TensorRole.K || t.role() == TensorRole.V)) continue;
            if (grouping.equals("qkv") && t.role() == TensorRole.Q) {
                String k = TensorSpec.canonicalName(TensorRole.K, t.layer());
                String v = TensorSpec.canonicalName(TensorRole.V, t.layer());
                List<TensorChoice> opts = perTensor.get(t.name());
                require(file, "space.tensorOptions", opts.equals(perTensor.get(k)) && opts.equals(perTensor.get(v)),
                        "with grouping qkv, q, k and v of layer " + t.layer() + " must have the same options");
                ds.add(new Decision("blk." + t.layer() + ".attn_qkv", List.of(t.name(), k, v), opts));
            } else {
                ds.add(new Decision(t.name(), List.of(t.name()), perTensor.get(t.name())));
            }
        }
        return ds;
    }

    /** Refuses, naming the option, a choice llama-quantize cannot store exactly (spec with {@code space.runtime: llama.cpp}). */
    private static void storedByLlamaCpp(String file, String key, List<TensorChoice> choices) {
        for (int i = 0; i < choices.size(); i++) {
            java.util.Optional<String> why = org.edgefront.jobs.export.LlamaCppExport.whyNotStored(choices.get(i));
            if (why.isPresent()) {
                throw new InvalidInputException(file, key + "[" + i + "]", "option " + choices.get(i).label()
                        + " cannot be stored by llama.cpp (space.runtime: llama.cpp): " + why.get());
            }
        }
    }

    private static List<TensorChoice> choices(String file, String key, List<String> labels) {
        List<TensorChoice> out = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            try {
                TensorChoice c = TensorChoice.parseOption(labels.get(i));
                require(file, key + "[" + i + "]", !out.contains(c), "option " + c.label() + " is listed twice");
                out.add(c);
            } catch (IllegalArgumentException e) {
                String base = labels.get(i) == null ? "" : labels.get(i).split("\\+")[0];
                throw new InvalidInputException(file, key + "[" + i + "]", e.getMessage() + "; closest formats: "
                        + String.join(", ", ClosestNames.closest(base, ClosestNames.formats())), e);
            }
        }
        return out;
    }
}
