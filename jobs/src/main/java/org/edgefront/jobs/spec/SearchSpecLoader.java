package org.edgefront.jobs.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.Path;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.evaluators.sensitivity.SensitivityTable;
import org.edgefront.jobs.export.LlamaCppExport;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.nativert.DeviceProfile;
import org.edgefront.nativert.DeviceProfiles;
import org.edgefront.nativert.Workload;
import org.edgefront.search.problem.Constraint;
import org.edgefront.search.problem.Objective;
import org.edgefront.search.problem.Problem;
import org.edgefront.search.strategy.Strategies;
import org.edgefront.space.candidate.Decision;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.candidate.StructureDecision;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;

/**
 * Reads and validates a search spec on the driver, before any job: YAML syntax, unknown keys, types,
 * ranges, that every referenced file exists and parses, and that the budgets are satisfiable at all.
 * Every problem is an {@link InvalidInputException} naming the file and the key. Stateless.
 */
public final class SearchSpecLoader {

    /** Options used when a spec lists none: float, the common llama.cpp formats, generic low-bit groups. */
    public static final List<String> DEFAULT_OPTIONS = List.of("F16", "Q8_0", "Q5_0", "Q4_0", "int4g32", "int3g32", "int2g32");

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

        // model
        SearchSpec.Model m = s.model() == null ? new SearchSpec.Model(null, null, null) : s.model();
        String modelUri = o.model() != null ? o.model() : m.source();
        require(file, "model.source", modelUri != null, "is required (a llama2.c file, a Hugging Face directory or synthetic:tiny)");
        boolean fromCli = o.model() != null;
        ModelSource model = new ModelSource(fromCli || modelUri.startsWith("synthetic:") ? modelUri : relative(file, modelUri));
        String tokenizer = o.tokenizer() != null ? o.tokenizer() : (m.tokenizer() == null ? null : relative(file, m.tokenizer()));
        String textUri = o.text() != null ? o.text() : (m.text() == null ? null : relative(file, m.text()));
        if (fromCli && o.tokenizer() == null && o.text() == null && !model.synthetic()) {
            tokenizer = null;
            textUri = null;
        }
        if (!model.synthetic()) {
            require(file, "model.tokenizer", tokenizer != null, "is required for a real model (or pass --tokenizer)");
            require(file, "model.text", textUri != null, "is required for a real model (or pass --text)");
            mustExist(tokenizer, "model.tokenizer", file);
            mustExist(textUri, "model.text", file);
        } else {
            tokenizer = null;
            textUri = null;
        }
        ModelArchitecture arch;
        try (ModelWeights w = model.open()) {
            arch = w.architecture();
        } catch (IOException e) {
            throw new InvalidInputException(model.uri(), "(file)", "cannot read model: " + e.getMessage(), e);
        }

        // device and workload
        require(file, "device", s.device() != null, "is required (a device profile such as configs/devices/samsung-galaxy-s23.yaml)");
        String deviceUri = relative(file, s.device());
        mustExist(deviceUri, "device", file);
        DeviceProfile device = DeviceProfiles.load(deviceUri);
        SearchSpec.Workload wl = s.workload() == null ? new SearchSpec.Workload(null, null, null, null, null, null) : s.workload();
        int prompt = positive(file, "workload.promptTokens", wl.promptTokens(), 128);
        int generate = positive(file, "workload.generateTokens", wl.generateTokens(), 128);
        int context = positive(file, "workload.contextTokens", wl.contextTokens(), Math.max(512, prompt + generate));
        require(file, "workload.contextTokens", context >= prompt + generate, "must hold promptTokens + generateTokens (" + (prompt + generate) + ")");
        int kvBits = wl.kvCacheBits() == null ? 16 : wl.kvCacheBits();
        require(file, "workload.kvCacheBits", kvBits == 4 || kvBits == 8 || kvBits == 16 || kvBits == 32, "must be 4, 8, 16 or 32");
        int threads = positive(file, "workload.threads", wl.threads(), 4);
        String backend = wl.backend() == null ? "cpu" : wl.backend();
        Workload workload;
        try {
            workload = new Workload(prompt, generate, context, kvBits, threads, org.edgefront.nativert.Backend.parse(backend));
        } catch (InvalidInputException e) {
            throw new InvalidInputException(file, e.field(), e.getMessage().replaceFirst("^-: [^:]*: ", ""), e);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file, "workload.backend", e.getMessage(), e);
        }

        // space
        SearchSpec.Space sp = s.space() == null ? new SearchSpec.Space(null, null, null, null, null) : s.space();
        String runtime = sp.runtime() == null ? "any" : sp.runtime();
        require(file, "space.runtime", runtime.equals("any") || runtime.equals("llama.cpp"), "must be 'any' or 'llama.cpp'");
        boolean llamaCpp = runtime.equals("llama.cpp");
        List<String> options = sp.options() != null ? sp.options()
                : llamaCpp ? DEFAULT_OPTIONS.stream().filter(label -> LlamaCppExport.whyNotStored(TensorChoice.parse(label)).isEmpty()).toList()
                : DEFAULT_OPTIONS;
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
                structure(file, key -> "space.structure" + (key.isEmpty() ? "" : "." + key), arch, sp.structure()));

        // objectives and budgets
        List<String> objectiveNames = s.objectives() == null ? List.of("kl", "memory_bytes", "energy_j_per_token") : s.objectives();
        require(file, "objectives", !objectiveNames.isEmpty() && objectiveNames.size() <= 4, "must list 1 to 4 metrics");
        require(file, "objectives", objectiveNames.stream().distinct().count() == objectiveNames.size(), "lists a metric twice");
        List<Objective> objectives = new ArrayList<>();
        for (int i = 0; i < objectiveNames.size(); i++) {
            Metric metric = metric(file, "objectives[" + i + "]", objectiveNames.get(i));
            require(file, "objectives[" + i + "]", SUPPORTED.contains(metric), "metric " + metric.jsonName() + " is not measured by search (use one of " + SUPPORTED_NAMES + ")");
            objectives.add(new Objective(metric, metric.better()));
        }
        List<Constraint> constraints = new ArrayList<>();
        if (s.budgets() != null) {
            for (Map.Entry<String, SearchSpec.Bound> e : s.budgets().entrySet()) {
                String key = "budgets." + e.getKey();
                Metric metric = metric(file, key, e.getKey());
                require(file, key, SUPPORTED.contains(metric), "metric " + metric.jsonName() + " is not measured by search");
                SearchSpec.Bound b = e.getValue();
                require(file, key, b != null, "needs atMost, atLeast or shareOfDram");
                int set = (b.atMost() == null ? 0 : 1) + (b.atLeast() == null ? 0 : 1) + (b.shareOfDram() == null ? 0 : 1);
                require(file, key, set == 1, "set exactly one of atMost, atLeast, shareOfDram");
                if (b.shareOfDram() != null) {
                    require(file, key + ".shareOfDram", metric == Metric.MEMORY_BYTES, "only applies to memory_bytes");
                    require(file, key + ".shareOfDram", b.shareOfDram() > 0 && b.shareOfDram() <= 1, "must be in (0, 1]");
                    constraints.add(Constraint.atMost(metric, b.shareOfDram() * device.dram().capacityBytes()));
                } else if (b.atMost() != null) {
                    require(file, key + ".atMost", Double.isFinite(b.atMost()) && b.atMost() > 0, "must be a positive finite number");
                    constraints.add(Constraint.atMost(metric, b.atMost()));
                } else {
                    require(file, key + ".atLeast", Double.isFinite(b.atLeast()) && b.atLeast() >= 0, "must be a non-negative finite number");
                    constraints.add(Constraint.atLeast(metric, b.atLeast()));
                }
            }
        }
        Problem problem = new Problem(objectives, constraints);
        // (multi-fidelity adds a constraint below, once the quality section is read)

        // quality
        SearchSpec.Quality q = s.quality() == null ? new SearchSpec.Quality(null, null, null, null, null, null, null, null, null) : s.quality();
        int paragraphs = positive(file, "quality.paragraphs", q.paragraphs(), 16);
        int offset = q.offset() == null ? 0 : q.offset();
        require(file, "quality.offset", offset >= 0, "must be >= 0");
        int maxTokens = positive(file, "quality.maxTokens", q.maxTokens(), Math.min(256, arch.maxSeqLen()));
        require(file, "quality.maxTokens", maxTokens >= 2 && maxTokens <= arch.maxSeqLen(), "must be 2.." + arch.maxSeqLen() + " (the model's context)");
        int sequences = positive(file, "quality.sequences", q.sequences(), 8);
        int calibration = q.calibrationParagraphs() == null ? 0 : q.calibrationParagraphs();
        require(file, "quality.calibrationParagraphs", calibration >= 0, "must be >= 0");
        boolean gptq = space.decisions().stream().anyMatch(d -> d.options().stream().anyMatch(TensorChoice::errorCompensated));
        require(file, "quality.calibrationParagraphs", !gptq || (calibration > 0 && !model.synthetic()),
                "+gptq options need calibration text: a real model and quality.calibrationParagraphs > 0");
        String mode = q.mode() == null ? "measured" : q.mode();
        require(file, "quality.mode", mode.equals("measured") || mode.equals("proxy") || mode.equals("multi-fidelity"),
                "must be 'measured', 'proxy' or 'multi-fidelity'");
        SensitivityTable table = null;
        String tableUri = null;
        if (q.table() != null) {
            tableUri = relative(file, q.table());
            mustExist(tableUri, "quality.table", file);
            table = SensitivityTable.fromJson(AtomicFiles.readString(AtomicFiles.path(tableUri)), tableUri);
            require(file, "quality.table", table.fits(space), "was profiled for another model or space (decisions and options must match "
                    + "this spec's: profile with the same options and grouping)");
        }
        require(file, "quality.table", mode.equals("measured") || table != null, "is required with quality.mode " + mode);
        List<Integer> stages = List.of();
        List<Double> keep = List.of();
        if (mode.equals("multi-fidelity")) {
            int total = model.synthetic() ? sequences : paragraphs;
            stages = q.stages() == null ? List.of(Math.max(1, total / 4), total) : q.stages();
            require(file, "quality.stages", !stages.isEmpty() && stages.size() <= 8, "must list 1 to 8 stage sizes");
            for (int i = 0; i < stages.size(); i++) {
                require(file, "quality.stages[" + i + "]", stages.get(i) != null && stages.get(i) >= 1
                        && (i == 0 || stages.get(i) > stages.get(i - 1)), "stage sizes must be positive and strictly ascending");
            }
            keep = q.keep() == null ? java.util.Collections.nCopies(stages.size(), 0.5) : q.keep();
            require(file, "quality.keep", keep.size() == stages.size(), "needs one fraction per stage (" + stages.size() + ")");
            for (int i = 0; i < keep.size(); i++) {
                require(file, "quality.keep[" + i + "]", keep.get(i) != null && keep.get(i) > 0 && keep.get(i) <= 1, "must be in (0, 1]");
            }
            // only candidates measured at the last stage may enter the front: the others were judged by the proxy
            constraints.add(Constraint.atLeast(Metric.FIDELITY_STAGE, stages.size()));
            problem = new Problem(objectives, constraints);
        } else {
            require(file, "quality.stages", q.stages() == null, "applies only to quality.mode multi-fidelity");
            require(file, "quality.keep", q.keep() == null, "applies only to quality.mode multi-fidelity");
        }
        for (Objective ob : objectives) checkQualityMetric(file, "objectives", ob.metric(), mode, table);
        for (Constraint c : constraints) checkQualityMetric(file, "budgets." + c.metric().jsonName(), c.metric(), mode, table);

        // strategy and execution
        SearchSpec.Strategy st = s.strategy() == null ? new SearchSpec.Strategy(null, null, null, null) : s.strategy();
        String strategy = st.name() == null ? "nsga2" : st.name();
        require(file, "strategy.name", Strategies.NAMES.contains(strategy) || Strategies.MODEL_NAMES.contains(strategy),
                "unknown strategy '" + strategy + "' (known: " + Strategies.NAMES + ", and with quality.table " + Strategies.MODEL_NAMES + ")");
        require(file, "strategy.name", !Strategies.MODEL_NAMES.contains(strategy) || table != null,
                "strategy '" + strategy + "' plans from a sensitivity table: set quality.table (see edgefront profile)");
        boolean vocabSearched = space.structure().stream().anyMatch(d -> d.kind() == StructureDecision.Kind.VOCAB);
        boolean droppedMassMeasured = vocabSearched && mode.equals("measured");
        String droppedMassNeeds = "dropped_mass is measured only when space.structure.vocabulary is searched with quality.mode measured";
        for (Objective ob : objectives) require(file, "objectives", ob.metric() != Metric.DROPPED_MASS || droppedMassMeasured, droppedMassNeeds);
        for (Constraint c : constraints) require(file, "budgets.dropped_mass", c.metric() != Metric.DROPPED_MASS || droppedMassMeasured, droppedMassNeeds);
        if (space.hasStructure()) {
            require(file, "strategy.name", Strategies.NAMES.contains(strategy) && !strategy.equals("evopress"),
                    "strategy '" + strategy + "' needs weight bytes additive over decisions, which structural pruning breaks: use random, lhs or nsga2");
            require(file, "quality.calibrationParagraphs", model.synthetic() || calibration > 0 || mode.equals("proxy"),
                    "space.structure needs calibration text to rank heads, channels and tokens: set quality.calibrationParagraphs > 0");
        }
        long seed = st.seed() == null ? 42L : st.seed();
        int population = positive(file, "strategy.populationSize", st.populationSize(), 24);
        require(file, "strategy.populationSize", population >= 2 && population <= 100_000, "must be 2..100000");
        int generations = positive(file, "strategy.generations", st.generations(), 10);
        require(file, "strategy.generations", generations <= 100_000, "must be <= 100000");
        SearchSpec.Execution ex = s.execution() == null ? new SearchSpec.Execution(null, null, null) : s.execution();
        String master = ex.master() == null ? "local[*]" : ex.master();
        int partitions = ex.partitions() == null ? 0 : ex.partitions();
        require(file, "execution.partitions", partitions >= 0, "must be >= 0");
        double maxFailureRate = ex.maxFailureRate() == null ? 0.2 : ex.maxFailureRate();
        require(file, "execution.maxFailureRate", maxFailureRate >= 0 && maxFailureRate <= 1, "must be in [0, 1]");

        SearchSpec resolved = new SearchSpec(1, name, new SearchSpec.Model(model.uri(), tokenizer, textUri), deviceUri,
                new SearchSpec.Workload(prompt, generate, context, kvBits, threads, backend),
                new SearchSpec.Space(options, grouping, sp.tensorOptions(), sp.structure(), sp.runtime()),
                new SearchSpec.Quality(paragraphs, offset, maxTokens, sequences, mode, tableUri,
                        stages.isEmpty() ? null : stages, keep.isEmpty() ? null : keep, calibration == 0 ? null : calibration),
                objectiveNames, s.budgets(),
                new SearchSpec.Strategy(strategy, seed, population, generations),
                new SearchSpec.Execution(master, partitions, maxFailureRate));
        return new ResolvedSearch(file, resolved, model, tokenizer, textUri, arch, space, problem, deviceUri, device,
                workload, paragraphs, offset, maxTokens, sequences, strategy, seed, population, generations, master,
                partitions, maxFailureRate, objectiveNames, !mode.equals("proxy"), table, stages, keep, calibration);
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

    private static final List<Metric> MEASURED_QUALITY = List.of(Metric.KL, Metric.PERPLEXITY, Metric.TOP1_AGREEMENT, Metric.DROPPED_MASS);

    private static void checkQualityMetric(String file, String key, Metric m, String mode, SensitivityTable table) {
        require(file, key, !(MEASURED_QUALITY.contains(m) && mode.equals("proxy")),
                m.jsonName() + " is measured by a forward pass, which quality.mode proxy skips (use proxy_kl)");
        require(file, key, m != Metric.PROXY_KL || table != null, "proxy_kl needs quality.table (see edgefront profile)");
    }

    /** Metrics a search run measures (memory, device simulation, measured quality, table proxy). */
    public static final List<Metric> SUPPORTED = List.of(Metric.PROXY_KL, Metric.MEMORY_BYTES, Metric.WEIGHT_BYTES, Metric.KV_CACHE_BYTES,
            Metric.BITS_PER_WEIGHT, Metric.KL, Metric.PERPLEXITY, Metric.TOP1_AGREEMENT, Metric.DROPPED_MASS, Metric.DECODE_TOK_S,
            Metric.PREFILL_TOK_S, Metric.TTFT_S, Metric.ENERGY_J_PER_TOKEN, Metric.POWER_W);
    private static final String SUPPORTED_NAMES = SUPPORTED.stream().map(Metric::jsonName).collect(Collectors.joining(", "));

    private static List<Decision> decisions(String file, ModelArchitecture arch, Map<String, List<TensorChoice>> perTensor, String grouping) {
        List<Decision> ds = new ArrayList<>();
        for (TensorSpec t : arch.linearTensors()) {
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
            java.util.Optional<String> why = LlamaCppExport.whyNotStored(choices.get(i));
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
                TensorChoice c = TensorChoice.parse(labels.get(i));
                require(file, key + "[" + i + "]", !out.contains(c), "option " + c.label() + " is listed twice");
                out.add(c);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(file, key + "[" + i + "]", e.getMessage(), e);
            }
        }
        return out;
    }

    private static Metric metric(String file, String key, String name) {
        try {
            return Metric.fromJsonName(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file, key, e.getMessage(), e);
        }
    }

    private static int positive(String file, String key, Integer value, int dflt) {
        if (value == null) return dflt;
        require(file, key, value > 0, "must be a positive integer, got " + value);
        return value;
    }

    private static void mustExist(String uri, String key, String file) {
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

    private static void require(String file, String key, boolean ok, String problem) {
        if (!ok) throw new InvalidInputException(file, key, problem);
    }
}
