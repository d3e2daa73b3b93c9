package org.edgefront.jobs.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.Path;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.space.candidate.StructureDecision;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;

/**
 * Reads and validates a search spec on the driver, before any job: YAML syntax, unknown keys, types,
 * ranges, that every referenced file exists and parses, and that the budgets are satisfiable at all.
 * Each section has its own resolver returning a small record ({@link ResolvedModel}, {@link ResolvedWorkload},
 * {@link ResolvedSpace}, {@link ResolvedGoals}, {@link ResolvedQuality}, {@link ResolvedRun}), called in that
 * order with what it depends on; {@link #resolve} composes them into a {@link ResolvedSearch}.
 * Every problem is an {@link InvalidInputException} naming the file and the key. Stateless.
 */
public final class SearchSpecLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            // a key given twice is an error, not "last one wins"
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    private SearchSpecLoader() {}

    /** Command-line overrides of the spec's model section (null = keep the spec's). */
    public record Overrides(String model, String tokenizer, String text) {
        public static final Overrides NONE = new Overrides(null, null, null);
    }

    /** Parses YAML text of {@code file} into a spec, mapping every Jackson error to the offending key. */
    public static SearchSpec parse(String file, String yaml) {
        try {
            SearchSpec s = YAML.readValue(yaml, SearchSpec.class);
            if (s == null) throw new InvalidInputException(file, "(document)", "the file is empty");
            return s;
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new InvalidInputException(file, path(e), "unknown key '" + e.getPropertyName() + "' (known: " + known + ")");
        } catch (JsonMappingException e) {
            throw new InvalidInputException(file, path(e), "wrong type or value: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "(document)" : "line " + e.getLocation().getLineNr();
            throw new InvalidInputException(file, where, "not valid YAML: " + e.getOriginalMessage());
        }
    }

    /** The dotted key path ({@code a.b[2].c}) of a Jackson mapping error, for messages that name the field. */
    public static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) b.append(b.length() == 0 ? "" : ".").append(r.getFieldName());
            else if (r.getIndex() >= 0) b.append('[').append(r.getIndex()).append(']');
        }
        return b.length() == 0 ? "(document)" : b.toString();
    }

    /** Loads, validates and resolves a spec file. */
    public static ResolvedSearch load(String specUri, Overrides overrides) {
        Path specPath = AtomicFiles.path(specUri);
        String text;
        try {
            if (!AtomicFiles.fs(specPath).exists(specPath)) throw new InvalidInputException(specUri, "(file)", "does not exist");
            text = AtomicFiles.readString(specPath);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new InvalidInputException(specUri, "(file)", "cannot read: " + e.getMessage(), e);
        }
        return resolve(specUri, parse(specUri, text), overrides);
    }

    /** Validates and resolves a parsed spec; relative paths are resolved against the spec file's directory. */
    public static ResolvedSearch resolve(String file, SearchSpec s, Overrides o) {
        require(file, "schemaVersion", s.schemaVersion() != null, "is required (use 1)");
        require(file, "schemaVersion", s.schemaVersion() == 1, "unsupported version " + s.schemaVersion() + " (supported: 1)");
        String name = s.name() == null ? "search" : s.name();
        require(file, "name", name.matches("[A-Za-z0-9._-]{1,64}"), "must be 1-64 letters, digits, '.', '_' or '-'");

        ResolvedModel model = ResolvedModel.resolve(file, s, o);
        ResolvedWorkload workload = ResolvedWorkload.resolve(file, s);
        ResolvedSpace space = ResolvedSpace.resolve(file, s, model.architecture());
        // a front stored for llama.cpp and costed with another engine's kernels answers no question: fail fast
        require(file, "workload.engine", !"llama.cpp".equals(space.spec().runtime()) || workload.engine().group().llamaCpp(),
                "is '" + workload.engine().engine() + "', but space.runtime is llama.cpp: the chosen points run on llama.cpp, so "
                        + "cost them with it (omit workload.engine, or name llama.cpp or a front end of it such as Ollama)");
        ResolvedGoals goals = ResolvedGoals.resolve(file, s, workload.device(), space.space().hasStructure());
        ResolvedQuality quality = ResolvedQuality.resolve(file, s, model.source(), model.architecture(), space.space(), goals);
        ResolvedRun run = ResolvedRun.resolve(file, s, model.source(), space.space(), quality);
        SearchSpec resolved = new SearchSpec(1, name, new SearchSpec.Model(model.source().uri(), model.tokenizerUri(), model.textUri()),
                workload.deviceUri(), workload.spec(), space.spec(),
                new SearchSpec.Quality(quality.paragraphs(), quality.paragraphOffset(), quality.maxTokens(), quality.syntheticSequences(),
                        quality.mode(), quality.tableUri(), quality.stages().isEmpty() ? null : quality.stages(),
                        quality.keep().isEmpty() ? null : quality.keep(), quality.calibrationParagraphs() == 0 ? null : quality.calibrationParagraphs()),
                goals.objectiveNames(), goals.budgetSpec(),
                new SearchSpec.Strategy(run.strategy(), run.seed(), run.populationSize(), run.generations()),
                new SearchSpec.Execution(run.master(), run.partitions(), run.maxFailureRate()));
        return new ResolvedSearch(file, resolved, model, workload, space, goals, quality, run);
    }

    /**
     * The structural decisions of {@code s} (none when absent), each ratio list checked and given its 1.0 option.
     *
     * @param field the name errors give a lever ({@code heads}, {@code ffnChannels}, {@code vocabulary}; "" for the whole)
     * @throws InvalidInputException naming {@code file} and the field when a ratio is out of (0, 1], repeated, or no lever is set
     */
    public static List<StructureDecision> structure(String file, java.util.function.UnaryOperator<String> field, ModelArchitecture arch,
                                                    SearchSpec.Structure s) {
        if (s == null) return List.of();
        List<Double> heads = ratios(file, field.apply("heads"), s.heads());
        List<Double> channels = ratios(file, field.apply("ffnChannels"), s.ffnChannels());
        List<Double> vocab = ratios(file, field.apply("vocabulary"), s.vocabulary());
        boolean drop = Boolean.TRUE.equals(s.dropLayers());
        require(file, field.apply(""), heads.size() > 1 || channels.size() > 1 || drop || vocab.size() > 1,
                "sets no lever: give heads, ffnChannels or vocabulary ratios below 1.0, or dropLayers: true");
        return StructureDecision.forModel(arch, heads, channels, drop, vocab);
    }

    /** Keep ratios: each in (0, 1], distinct; 1.0 first (added when missing), the rest descending. */
    private static List<Double> ratios(String file, String key, List<Double> given) {
        if (given == null) return List.of(1.0);
        List<Double> out = new ArrayList<>(List.of(1.0));
        for (int i = 0; i < given.size(); i++) {
            Double r = given.get(i);
            require(file, key + "[" + i + "]", r != null && r > 0 && r <= 1, "must be a keep ratio in (0, 1]");
            require(file, key + "[" + i + "]", r == 1.0 || !out.contains(r), "lists " + r + " twice");
            if (r != 1.0) out.add(r);
        }
        out.subList(1, out.size()).sort(java.util.Comparator.reverseOrder());
        return List.copyOf(out);
    }

    static int positive(String file, String key, Integer value, int dflt) {
        if (value == null) return dflt;
        require(file, key, value > 0, "must be a positive integer, got " + value);
        return value;
    }

    static void mustExist(String uri, String key, String file) {
        Path p = AtomicFiles.path(uri);
        try {
            if (!AtomicFiles.fs(p).exists(p)) throw new InvalidInputException(file, key, uri + " does not exist");
        } catch (IOException e) {
            throw new InvalidInputException(file, key, "cannot check " + uri + ": " + e.getMessage(), e);
        }
    }

    /** Resolves {@code ref} against the directory of {@code file} unless it is absolute or a URI. */
    public static String relative(String file, String ref) {
        if (ref.contains("://") || ref.startsWith("/") || ref.startsWith("file:")) return ref;
        java.nio.file.Path base = java.nio.file.Path.of(file.replaceFirst("^file:(//)?", "")).toAbsolutePath().getParent();
        return base.resolve(ref).normalize().toString();
    }

    static void require(String file, String key, boolean ok, String problem) {
        if (!ok) throw new InvalidInputException(file, key, problem);
    }
}
