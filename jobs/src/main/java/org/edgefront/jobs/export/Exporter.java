package org.edgefront.jobs.export;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.jobs.results.SearchDirectory;
import org.edgefront.jobs.spec.SearchSpec;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;

/**
 * Exports one front point of a finished search directory to a runtime's configuration file, written
 * atomically, through the {@link PointExporter} its {@link Target} names: a llama.cpp {@code --tensor-type-file}
 * ({@link LlamaCppExport}), a GPTQModel/vLLM {@code dynamic} quantize config ({@link GptqModelExport}), an
 * EdgeFront choices YAML that {@code edgefront eval --config} reads back ({@link ChoicesExport}) or a per-tensor
 * CSV table ({@link TensorTableExport}). Stateless and thread-safe.
 */
public final class Exporter {
    private Exporter() {}

    /** The registry of export targets, by their command-line names: a new target is one line here. */
    public enum Target {
        LLAMA_CPP("llama-cpp", new LlamaCppExport()),
        GPTQMODEL("gptqmodel", new GptqModelExport()),
        YAML("yaml", new ChoicesExport()),
        CSV("csv", new TensorTableExport()),
        GGUF("gguf", new GgufPointExporter());

        private final String cliName;
        private final PointExporter exporter;

        Target(String cliName, PointExporter exporter) {
            this.cliName = cliName;
            this.exporter = exporter;
        }

        /** The name used on the command line. */
        public String cliName() { return cliName; }

        /** The exporter that writes this target. */
        public PointExporter exporter() { return exporter; }

        /** Every command-line name, as "a, b or c". */
        public static String names() {
            StringBuilder b = new StringBuilder();
            Target[] all = values();
            for (int i = 0; i < all.length; i++) b.append(i == 0 ? "" : i == all.length - 1 ? " or " : ", ").append(all[i].cliName);
            return b.toString();
        }

        /** Parses a command-line name (case-insensitive). */
        public static Target parse(String name) {
            for (Target t : values()) if (t.cliName.equalsIgnoreCase(name) || t.name().equalsIgnoreCase(name)) return t;
            throw new InvalidInputException("-", "--to", "unknown export target '" + name + "' (use " + names() + ")");
        }
    }

    /** The command-line names of every target, for picocli's {@code ${COMPLETION-CANDIDATES}} in help texts. */
    public static final class TargetNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.Arrays.stream(Target.values()).map(t -> t.cliName() + " (" + t.exporter().description() + ")").iterator();
        }
    }

    /**
     * What an export wrote.
     *
     * @param out      the file written
     * @param target   the format
     * @param pointId  the exported front point
     * @param command  the command that uses the file (placeholders in capitals: MODEL-F16.gguf, HF_MODEL_DIR, ...)
     * @param warnings approximations made with {@code nearest}, and runtime caveats; one line each
     */
    public record Result(String out, Target target, String pointId, String command, List<String> warnings) {
        public Result {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Exports front point {@code pointId} of {@code searchDir} to {@code outFile}.
     *
     * @param nearest approximate choices the target cannot store exactly (a warning each) instead of failing
     * @throws InvalidInputException for a missing or malformed {@code front.json}, an unknown point id
     *         (naming {@code front.json} and {@code --point}, listing valid ids), or a choice the target
     *         cannot represent without {@code nearest}
     */
    public static Result export(String searchDir, String pointId, Target target, String outFile, boolean nearest) {
        if (outFile == null || outFile.isBlank()) throw new InvalidInputException("-", "--out", "an output file is required");
        SearchDirectory.Front front = SearchDirectory.readFront(searchDir);
        SearchDirectory.EvaluatedPoint p = front.point(pointId, "--point");
        if (p.choices().isEmpty()) throw new InvalidInputException(front.file(), "--point", "point " + pointId + " records no per-tensor choices");
        String file = front.file() + " (point " + pointId + ")";
        if (!p.pruning().isEmpty() && !target.exporter().recordsStructure()) {
            throw new InvalidInputException(front.file(), "--point", "point " + pointId + " prunes structure " + p.pruning()
                    + ": " + target.cliName() + " takes per-tensor types for the model's own shapes, not per-layer pruned heads, channels, layers or "
                    + "vocabulary; pick an unpruned point or export --to yaml to record the plan");
        }
        Path out = AtomicFiles.path(outFile);
        String shown = display(out);
        PointExporter.Written w = target.exporter().write(new PointExporter.Request(searchDir, file, pointId, p, spec(searchDir), shown, nearest), out);
        return new Result(shown, target, pointId, w.command(), w.warnings());
    }

    /** The run's spec, or null when the directory has none or it cannot be read (exports then use placeholders). */
    private static SearchSpec spec(String searchDir) {
        try {
            return SearchDirectory.readSpec(searchDir);
        } catch (InvalidInputException e) {
            return null;
        }
    }

    /**
     * The importance matrix entries of {@code tensors} that the run's {@code +imatrix} options quantized with, recomputed
     * from the run's spec by the search's own code ({@link org.edgefront.jobs.run.SearchEvaluators#importanceMatrix}).
     *
     * @throws InvalidInputException naming spec.json when the directory has no readable spec, or the model or text it names
     *                               cannot be read
     */
    static Map<String, float[]> importance(PointExporter.Request r, java.util.Collection<String> tensors) {
        if (r.spec() == null) {
            throw new InvalidInputException(r.searchDir(), "spec.json", "missing or unreadable: +imatrix choices are exported with the importance "
                    + "matrix of the search's calibration text, which the spec names");
        }
        String specFile = r.searchDir() + "/spec.json";
        try {
            org.edgefront.jobs.spec.ResolvedSearch resolved = org.edgefront.jobs.spec.SearchSpecLoader.resolve(specFile, r.spec(),
                    org.edgefront.jobs.spec.SearchSpecLoader.Overrides.NONE);
            Map<String, float[]> m = org.edgefront.jobs.run.SearchEvaluators.importanceMatrix(resolved, tensors);
            for (String t : tensors) {
                if (!m.containsKey(t)) throw new InvalidInputException(r.file(), "choices." + t, "no importance matrix entry (the tensor has no input activations)");
            }
            return m;
        } catch (IOException e) {
            throw new InvalidInputException(specFile, "model", "cannot read the model or calibration text for the importance matrix: " + e.getMessage(), e);
        }
    }

    /** Parses a choice label, naming the file and field when it is not one. */
    static TensorChoice parseChoice(String file, String field, String label) {
        try {
            return TensorChoice.parseOption(label);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidInputException(file, field, "'" + label + "' is not a choice label: " + e.getMessage(), e);
        }
    }

    /** A local file as a plain path, anything else as its URI. */
    static String display(Path p) {
        return "file".equals(p.toUri().getScheme()) ? p.toUri().getPath() : p.toString();
    }

    /** Quotes a word for a POSIX shell when it needs it. */
    static String shellQuote(String s) {
        if (s.matches("[A-Za-z0-9_./:=@%+,-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * Writes the GGUF of a model with the given per-tensor choices (a front point, or one format for every tensor).
     *
     * @param tokenizer a tokenizer (llama2.c file, tokenizer.json, Hugging Face directory or GGUF), or null for the model's own
     *                  (see {@code GgufTokenizerMetadata})
     */
    public static Result ggufOf(String file, String pointId, String model, String tokenizer, Map<String, TensorChoice> choices, String outFile,
                                String shown) {
        return ggufOf(file, pointId, model, tokenizer, choices, outFile, shown, Map.of());
    }

    /** As {@link #ggufOf(String, String, String, String, Map, String, String)}, with the {@code +imatrix} choices' importances. */
    public static Result ggufOf(String file, String pointId, String model, String tokenizer, Map<String, TensorChoice> choices, String outFile,
                                String shown, Map<String, float[]> importance) {
        GgufExport.Result r;
        try (ModelWeights w = new ModelSource(model).open()) {
            r = GgufExport.write(file, w, choices, tokenizer, outFile, importance);
        } catch (IOException e) {
            throw new InvalidInputException(model, "(file)", "cannot read the model: " + e.getMessage(), e);
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        r.storedTypes().values().forEach(t -> counts.merge(t, 1, Integer::sum));
        return new Result(shown, Target.GGUF, pointId, "llama-bench -m " + shellQuote(shown) + "    # stored " + counts + ", " + r.weightBytes()
                + " bytes of 2-D tensors; or: llama-perplexity -m " + shellQuote(shown) + " -f TEXT", List.of());
    }

    /**
     * The searched model's architecture (tensor shapes for llama.cpp's fallback and the exported bytes), read from
     * the model that {@code spec.json} names; null, with a warning, when that model cannot be read any more.
     */
    static ModelArchitecture architecture(String searchDir, List<String> warnings) {
        String source = null;
        try {
            SearchSpec spec = SearchDirectory.load(searchDir).spec();
            if (spec != null && spec.model() != null) source = spec.model().source();
        } catch (InvalidInputException e) {
            source = null;
        }
        if (source == null) {
            warnings.add("spec.json names no model: types are exported as chosen (llama-quantize applies its shape fallback) and bytes are not checked");
            return null;
        }
        try (ModelWeights w = new ModelSource(source).open()) {
            return w.architecture();
        } catch (IOException | InvalidInputException e) {
            warnings.add("cannot read the searched model " + source + " (" + e.getMessage() + "): types are exported as chosen "
                    + "(llama-quantize applies its shape fallback) and bytes are not checked");
            return null;
        }
    }
}
