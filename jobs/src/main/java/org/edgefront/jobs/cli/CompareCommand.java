package org.edgefront.jobs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.evaluators.sensitivity.SensitivityProfiler;
import org.edgefront.evaluators.sensitivity.SensitivityTable;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.jobs.profile.CompareStudy;
import org.edgefront.jobs.run.StepProgress;
import org.edgefront.jobs.profile.Profiles;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code edgefront compare}: at a bits-per-weight budget, the best uniform format, the best searched mixed
 * configuration with no more weight bytes than that uniform one, and llama.cpp's standard mixes, all measured
 * on the same text over the same (linear) tensors. See {@link CompareStudy} for the procedure. The searched space
 * is {@code --options} plus the uniform winner's format, so the search can always reproduce the uniform baseline.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Searched per-tensor mix vs best uniform format vs llama.cpp mixes at a bits-per-weight budget, measured KL.")
public final class CompareCommand implements Callable<Integer> {
    @Mixin
    MeasurementOptions in = new MeasurementOptions();

    @Option(names = "--bits-per-weight", required = true, description = "Weight budget in bits per linear weight.")
    double bitsPerWeight;

    @Option(names = "--options", split = ",", description = "Searched options per tensor (default with --text: F16,Q8_0 and GPTQ of"
            + " Q8_0, int6g32, Q5_0, int5g32, Q4_0, int4g32, int4g128, int3g32, int3g64a, int3g128, int2g32, int2g64a; without calibration: F16,Q8_0,Q5_0,Q4_0,int4g32,int3g32,int2g32).")
    List<String> options;

    @Option(names = "--uniform-formats", split = ",", description = "Uniform formats tried (default: llama.cpp types and int{2..8}g{32,64,128}).")
    List<String> uniformFormats;

    @Option(names = "--mixes", split = ",", description = "llama.cpp mixes (default: Q2_K,Q3_K_M,Q4_K_M,Q5_K_M,Q4_0,Q5_0,Q8_0, and with calibration "
            + "text each also with an importance matrix, e.g. Q4_K_M+imatrix).")
    List<String> mixes;

    @Option(names = "--measure-top", defaultValue = "16", description = "Front points under the budget measured with real KL (default ${DEFAULT-VALUE}).")
    int measureTop;

    @Option(names = "--refine", defaultValue = "96", description = "Measured-KL refinement steps after the DP (EvoPress-style 1+1; default ${DEFAULT-VALUE}; 0: none).")
    int refine;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the refinement (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--table", description = "A sensitivity.json on the same model and text whose entries are reused (missing ones are profiled).")
    String table;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (!(bitsPerWeight > 0) || Double.isInfinite(bitsPerWeight)) throw new InvalidInputException("-", "--bits-per-weight", "must be a positive number");
        in.validate();
        if (measureTop < 1) throw new InvalidInputException("-", "--measure-top", "must be >= 1");
        if (refine < 0) throw new InvalidInputException("-", "--refine", "must be >= 0");
        long start = System.nanoTime();
        ModelArchitecture arch = in.architecture();
        // the best the tool has by default: GPTQ where there is calibration text, proxy DP plus measured refinement
        int calibration = in.calibrationParagraphs(in.text != null ? CompareStudy.DEFAULT_CALIBRATION_PARAGRAPHS : 0);
        List<String> opts = new ArrayList<>(options != null ? options
                : calibration > 0 && in.text != null ? CompareStudy.DEFAULT_GPTQ_OPTIONS : Profiles.DEFAULT_OPTIONS);
        List<String> uni = uniformFormats == null ? CompareStudy.DEFAULT_UNIFORM : uniformFormats;
        List<String> mx = mixes == null ? CompareStudy.defaultMixes(calibration > 0 && in.text != null) : mixes;
        Profiles.space(arch, opts, "--options"); // validate before any work
        for (String m : mx) {
            try {
                CompareStudy.measurableMix(arch, m);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("-", "--mixes", e.getMessage(), e);
            }
        }
        for (String u : uni) {
            try {
                TensorChoice.parseOption(u);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("-", "--uniform-formats", e.getMessage(), e);
            }
        }
        SensitivityTable known = table == null ? null : SensitivityTable.fromJson(AtomicFiles.readString(AtomicFiles.path(table)), table);
        long budget = (long) Math.floor(bitsPerWeight * arch.linearParameterCount() / 8.0);
        CompareStudy.Named uniform;
        CompareStudy.Named searched = null;
        List<CompareStudy.Named> mixed;
        int[] measured = new int[1];
        List<CompareStudy.Named> atMix = new ArrayList<>();
        double refinedFrom = Double.NaN;
        CompareStudy.Named uniformGptq = null;
        SearchSpace space;
        // the factory's space is only used by evaluate(Candidate); measure(Map) takes any choices
        QualityEvaluator.Factory factory = in.factory(arch, Profiles.space(arch, opts, "--options"), calibration);
        int decisionsTimesOptions = Profiles.space(arch, opts, "--options").decisions().stream().mapToInt(d -> d.options().size() - 1).sum();
        StepProgress progress = new StepProgress(System.err, "compare", 5,
                uni.size() + mx.size() + decisionsTimesOptions + measureTop + refine + (long) mx.size() * measureTop);
        try (QualityEvaluator e = factory.create()) {
            try {
                uniform = CompareStudy.bestUniform(e, arch, uni, budget);
                progress.stepDone("uniform formats (best within the budget: " + (uniform == null ? "none" : uniform.name()) + ")",
                        uni.size(), "forward passes");
            } catch (IllegalArgumentException ex) {
                throw new InvalidInputException("-", "--uniform-formats", ex.getMessage(), ex);
            }
            if (uniform != null && opts.stream().map(o -> TensorChoice.parse(o).label()).noneMatch(uniform.name()::equals)) opts.add(uniform.name());
            space = Profiles.space(arch, opts, "--options");
            mixed = CompareStudy.mixes(e, arch, mx);
            progress.stepDone("llama.cpp mixes", mx.size(), "forward passes");
            if (uniform != null) {
                SensitivityTable t = new SensitivityProfiler(e, space).profile(known);
                progress.stepDone("sensitivity table" + (known == null ? "" : " (rows of --table reused)"), decisionsTimesOptions, "forward passes at most");
                searched = CompareStudy.bestSearched(e, space, t, uniform.weightBytes(), measureTop, uniform.choices(), measured);
                if (searched != null && refine > 0) {
                    double before = searched.kl();
                    searched = CompareStudy.refine(e, space, searched, uniform.weightBytes(), refine, seed);
                    refinedFrom = before;
                }
                progress.stepDone("searched configuration at the uniform format's bytes", measured[0] + refine, "forward passes");
                // where the gain comes from: the best GPTQ option applied uniformly at the same bytes isolates GPTQ from mixing
                List<String> gptqOptions = opts.stream().filter(o -> TensorChoice.parse(o).errorCompensated()).toList();
                if (!gptqOptions.isEmpty()) uniformGptq = CompareStudy.bestUniform(e, arch, gptqOptions, uniform.weightBytes());
                int[] atMixMeasured = new int[1];
                // the search at a byte budget is deterministic: mixes of equal bytes (a mix and its +imatrix variant) share it
                java.util.Map<Long, CompareStudy.Named> atBytes = new java.util.HashMap<>();
                for (CompareStudy.Named m : mixed) {
                    CompareStudy.Named s = atBytes.containsKey(m.weightBytes()) ? atBytes.get(m.weightBytes())
                            : CompareStudy.bestSearched(e, space, t, m.weightBytes(), measureTop, null, atMixMeasured);
                    atBytes.put(m.weightBytes(), s);
                    atMix.add(s == null ? null : new CompareStudy.Named(m.name(), s.kl(), s.weightBytes(), s.choices()));
                }
                progress.stepDone("searched configuration at each mix's bytes", atMixMeasured[0], "forward passes");
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (json) {
            ObjectNode n = JsonOut.object();
            n.put("model", in.model);
            n.put("bits_per_weight", bitsPerWeight);
            n.put("linear_parameters", arch.linearParameterCount());
            n.put("budget_bytes", budget);
            if (searched == null) {
                n.putNull("searched");
            } else {
                ObjectNode s = n.putObject("searched");
                s.put("kl", searched.kl());
                s.put("weight_bytes", searched.weightBytes());
                ObjectNode ch = s.putObject("choices");
                for (Map.Entry<String, TensorChoice> c : searched.choices().entrySet()) ch.put(c.getKey(), c.getValue().label());
                s.put("configurations_measured", measured[0]);
                s.put("from", searched.name().equals("front") ? "dp_front" : "uniform_baseline");
                s.put("refine_steps", refine);
                if (refine > 0) s.put("kl_before_refinement", refinedFrom);
                s.put("options", String.join(",", opts));
            }
            if (uniform == null) {
                n.putNull("uniform");
            } else {
                n.putObject("uniform").put("format", uniform.name()).put("kl", uniform.kl()).put("weight_bytes", uniform.weightBytes());
            }
            ArrayNode ms = n.putArray("llama_cpp_mixes");
            for (CompareStudy.Named m : mixed) {
                ms.addObject().put("name", m.name()).put("kl", m.kl()).put("weight_bytes", m.weightBytes()).put("within_budget", m.weightBytes() <= budget);
            }
            // the searched configuration at each mix's own byte count: equal-bytes comparison with every mix
            ArrayNode am = n.putArray("searched_at_mix_bytes");
            for (int i = 0; i < atMix.size(); i++) {
                CompareStudy.Named s = atMix.get(i);
                ObjectNode o = am.addObject().put("mix", mixed.get(i).name()).put("mix_kl", mixed.get(i).kl()).put("mix_weight_bytes", mixed.get(i).weightBytes());
                if (s == null) o.putNull("searched_kl");
                else o.put("searched_kl", s.kl()).put("searched_weight_bytes", s.weightBytes());
            }
            if (searched != null && uniform != null) {
                n.put("searched_to_uniform_kl_ratio", searched.kl() / uniform.kl());
                // KL ratios that multiply to searched/uniform: rounding (GPTQ uniformly) x per-tensor mixing; compare searches no structure
                ObjectNode g = n.putObject("gain");
                if (uniformGptq != null) {
                    g.put("uniform_gptq_format", uniformGptq.name()).put("uniform_gptq_kl", uniformGptq.kl())
                            .put("uniform_gptq_weight_bytes", uniformGptq.weightBytes());
                    g.put("gptq_kl_ratio", uniformGptq.kl() / uniform.kl());
                    g.put("mixing_kl_ratio", searched.kl() / uniformGptq.kl());
                } else {
                    g.put("mixing_kl_ratio", searched.kl() / uniform.kl()); // no GPTQ option: all of it is mixing
                }
                g.put("structure", "not searched by compare (see profile --heads/--ffn-channels/--drop-layers)");
                boolean beats = true;
                for (CompareStudy.Named m : mixed) if (m.weightBytes() >= searched.weightBytes() && !(searched.kl() < m.kl())) beats = false;
                n.put("searched_below_every_mix_of_no_fewer_bytes", beats);
                // the equal-bytes claim: the search given each mix's own bytes finds a lower KL than the mix
                boolean atItsBytes = !atMix.isEmpty();
                for (int i = 0; i < atMix.size(); i++) if (atMix.get(i) == null || !(atMix.get(i).kl() < mixed.get(i).kl())) atItsBytes = false;
                n.put("searched_below_every_mix_at_its_bytes", atItsBytes);
            }
            n.put("elapsed_s", seconds);
            JsonOut.print(System.out, n);
        } else {
            System.out.printf(Locale.ROOT, "%s at %.2f bits/weight (%d bytes):%n", arch.name(), bitsPerWeight, budget);
            if (uniform != null) System.out.printf(Locale.ROOT, "  uniform  %-10s KL %.6f  %d bytes%n", uniform.name(), uniform.kl(), uniform.weightBytes());
            else System.out.println("  uniform  none fits the budget");
            if (uniformGptq != null) System.out.printf(Locale.ROOT, "  uniform  %-10s KL %.6f  %d bytes (GPTQ alone)%n", uniformGptq.name(), uniformGptq.kl(), uniformGptq.weightBytes());
            if (searched != null) System.out.printf(Locale.ROOT, "  searched            KL %.6f  %d bytes%s%n", searched.kl(), searched.weightBytes(),
                    uniform == null ? "" : String.format(Locale.ROOT, " (%.3fx the uniform format's KL)", searched.kl() / uniform.kl()));
            for (int i = 0; i < mixed.size(); i++) {
                CompareStudy.Named m = mixed.get(i);
                CompareStudy.Named s = i < atMix.size() ? atMix.get(i) : null;
                System.out.printf(Locale.ROOT, "  mix      %-10s KL %.6f  %d bytes%s%s%n", m.name(), m.kl(), m.weightBytes(),
                        m.weightBytes() <= budget ? "" : String.format(Locale.ROOT, "  (over the budget by %.1f%%)",
                                100.0 * (m.weightBytes() - budget) / budget),
                        s == null ? "" : String.format(Locale.ROOT, "; searched at its bytes KL %.6f (%d bytes)", s.kl(), s.weightBytes()));
            }
        }
        return 0;
    }
}
