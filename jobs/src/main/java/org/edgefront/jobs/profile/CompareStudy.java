package org.edgefront.jobs.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.evaluators.quality.QualityReport;
import org.edgefront.evaluators.sensitivity.SensitivityTable;
import org.edgefront.nativert.tools.FormatMixes;
import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.search.additive.ParetoDp;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/**
 * Searched vs uniform vs llama.cpp mixes at a bits-per-weight budget, all measured with one quality evaluator on the
 * same text and counted over the same tensor set (every linear tensor; weight bytes exact, from
 * {@link TensorChoice#bytes}).
 *
 * <ol>
 *   <li>Uniform: every listed format applied to all linear tensors; those whose bytes are at most
 *       {@code bitsPerWeight x linear parameters / 8} are measured, and the lowest KL wins.</li>
 *   <li>Searched: the exact Pareto front of (weight bytes, proxy KL) over the space ({@link ParetoDp} on the
 *       sensitivity table); of the front points with bytes at most the uniform winner's, the {@code measureTop}
 *       with the lowest proxy are measured and the lowest measured KL wins.</li>
 *   <li>llama.cpp mixes: each named mix ({@link FormatMixes#resolve}) measured as is.</li>
 * </ol>
 * Stateless.
 */
public final class CompareStudy {
    /** Uniform formats tried by default (K-quants fall back per llama.cpp where rows are not multiples of 256). */
    public static final List<String> DEFAULT_UNIFORM = List.of("F16", "Q8_0", "Q6_K", "Q5_K", "Q5_1", "Q5_0", "Q4_K", "Q4_1",
            "Q4_0", "Q3_K", "Q2_K", "int8g32", "int6g32", "int5g32", "int4g32", "int4g64", "int4g128", "int3g32", "int3g64",
            "int3g128", "int2g32", "int2g64", "int2g128", "int4g32a", "int4g64a", "int3g32a", "int3g64a", "int2g32a", "int2g64a");
    /** Calibration paragraphs compare takes by default when it has real text (GPTQ's Hessians). */
    public static final int DEFAULT_CALIBRATION_PARAGRAPHS = 32;
    /**
     * Options compare searches by default when it has calibration text: the lossless and 8-bit anchors plus GPTQ
     * (error-compensated rounding) of Q8_0, of the 5- and 6-bit layouts (Q5_0, int6g32, int5g32) and of every 2- to 4-bit
     * group layout; without calibration text, {@code Profiles.DEFAULT_OPTIONS}. The 5- and 6-bit levels matter where a
     * budget sits between 4.5 and 8.5 bits per weight: without them a second real model (aidreams260K, BENCHMARKS.md)
     * lost to llama.cpp's importance-matrix Q4_K_M, Q5_K_M and Q5_0 at their bytes.
     */
    public static final List<String> DEFAULT_GPTQ_OPTIONS = List.of("F16", "Q8_0", "Q8_0+gptq", "int6g32+gptq", "Q5_0+gptq", "int5g32+gptq",
            "Q4_0+gptq", "int4g32+gptq", "int4g128+gptq", "int3g32+gptq", "int3g64a+gptq", "int3g128+gptq", "int2g32+gptq", "int2g64a+gptq");
    /** llama.cpp standard mixes measured by default. */
    public static final List<String> DEFAULT_MIXES = List.of("Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q4_0", "Q5_0", "Q8_0");

    /**
     * The mixes compare measures by default: {@link #DEFAULT_MIXES}, and with calibration text each of them also as
     * llama-quantize writes it with an importance matrix from that text ({@code Q4_K_M+imatrix}), the way most published
     * GGUFs are made.
     */
    public static List<String> defaultMixes(boolean calibrationText) {
        if (!calibrationText) return DEFAULT_MIXES;
        List<String> out = new ArrayList<>(DEFAULT_MIXES);
        for (String m : DEFAULT_MIXES) out.add(m + "+imatrix");
        return List.copyOf(out);
    }

    private CompareStudy() {}

    /** A measured named configuration. */
    public record Named(String name, double kl, long weightBytes, Map<String, TensorChoice> choices) {}

    /**
     * @param searched    best searched configuration (null when no front point fits the byte budget)
     * @param uniform     best uniform format within the bits-per-weight budget (null when none fits)
     * @param mixes       llama.cpp mixes, in the order asked
     * @param budgetBytes the bits-per-weight budget in bytes
     * @param measuredFrontPoints front points measured for the searched configuration
     */
    public record Result(Named searched, Named uniform, List<Named> mixes, long budgetBytes, int measuredFrontPoints) {}

    /** Exact weight bytes of per-tensor choices (sum over linear tensors). */
    public static long weightBytes(ModelArchitecture arch, Map<String, TensorChoice> choices) {
        long b = 0;
        for (TensorSpec t : arch.linearTensors()) b += choices.get(t.name()).bytes(t);
        return b;
    }

    /** Every linear tensor in one choice. */
    public static Map<String, TensorChoice> uniform(ModelArchitecture arch, TensorChoice c) {
        Map<String, TensorChoice> m = new LinkedHashMap<>();
        for (TensorSpec t : arch.linearTensors()) m.put(t.name(), c);
        return m;
    }

    /**
     * The best uniform choice whose bytes are at most {@code budgetBytes}, or null when none fits. {@code formats} are
     * option labels ({@code Q4_0}, {@code int3g64a+gptq}: GPTQ needs an evaluator calibrated for it).
     */
    public static Named bestUniform(QualityEvaluator e, ModelArchitecture arch, List<String> formats, long budgetBytes) {
        Named best = null;
        for (String f : formats) {
            TensorChoice c = TensorChoice.parseOption(f);
            Map<String, TensorChoice> m = uniform(arch, c);
            long bytes = weightBytes(arch, m);
            if (bytes > budgetBytes) continue;
            double kl = klOf(e.measure(m));
            // ties on KL: fewer bytes wins
            if (best == null || kl < best.kl() || (kl == best.kl() && bytes < best.weightBytes())) best = new Named(c.label(), kl, bytes, m);
        }
        return best;
    }

    /**
     * The best searched configuration with at most {@code budgetBytes}: the {@code measureTop} best-proxy front points
     * under the budget are measured, plus every option of the space applied to every tensor (uniform anchors) that fits,
     * plus {@code alsoMeasure} (e.g. the uniform baseline, when it is in the space; null for none), and the lowest
     * measured KL wins. Its name says where it came from: {@code "front"}, {@code "uniform-anchor"} or {@code "extra"}.
     */
    public static Named bestSearched(QualityEvaluator e, SearchSpace space, SensitivityTable table, long budgetBytes, int measureTop,
                                     Map<String, TensorChoice> alsoMeasure, int[] measuredOut) {
        AdditiveModel model = AdditiveModel.bytesAnd(space, table.proxyCosts(space));
        ParetoDp.Front front = ParetoDp.solve(model);
        List<Integer> fits = new ArrayList<>();
        for (int p = 0; p < front.size(); p++) if (front.objective(p, 0) <= budgetBytes) fits.add(p);
        fits.sort(Comparator.<Integer>comparingDouble(p -> front.objective(p, 1)).thenComparingInt(p -> p));
        Named best = null;
        int measured = 0;
        for (int p : fits.subList(0, Math.min(measureTop, fits.size()))) {
            Candidate c = space.candidate(front.genes(p));
            Map<String, TensorChoice> m = space.choices(c);
            double kl = klOf(e.measure(m));
            measured++;
            long bytes = weightBytes(space.architecture(), m);
            if (best == null || kl < best.kl()) best = new Named("front", kl, bytes, m);
        }
        // uniform anchors: every option of the space taken by every tensor (as NSGA-II seeds its population), so the
        // searched result is never worse than one of its own options applied uniformly, which the proxy can miss
        int maxOptions = 0;
        for (int i = 0; i < space.dimensions(); i++) maxOptions = Math.max(maxOptions, space.optionCount(i));
        java.util.Set<Candidate> seen = new java.util.HashSet<>();
        for (int p : fits.subList(0, Math.min(measureTop, fits.size()))) seen.add(space.candidate(front.genes(p)));
        for (int o = 0; o < maxOptions; o++) {
            Candidate c = space.uniform(o);
            Map<String, TensorChoice> m = space.choices(c);
            long bytes = weightBytes(space.architecture(), m);
            if (bytes > budgetBytes || !seen.add(c)) continue;
            double kl = klOf(e.measure(m));
            measured++;
            if (best == null || kl < best.kl()) best = new Named("uniform-anchor", kl, bytes, m);
        }
        if (alsoMeasure != null && weightBytes(space.architecture(), alsoMeasure) <= budgetBytes) {
            double kl = klOf(e.measure(alsoMeasure));
            measured++;
            if (best == null || kl < best.kl()) best = new Named("extra", kl, weightBytes(space.architecture(), alsoMeasure), alsoMeasure);
        }
        if (measuredOut != null && measuredOut.length > 0) measuredOut[0] = measured;
        return best;
    }

    /**
     * EvoPress-style (1+1) refinement on measured KL under a byte budget, starting from {@code start} (a configuration
     * of {@code space}): each step moves one random decision to its next larger option (by bytes) and another to its
     * next smaller one, keeps the move when the bytes stay within budget and the measured KL drops. Corrects the
     * proxy's additivity error where compressed tensors interact. Seeded: same inputs, same result.
     *
     * @param steps measured moves (each one forward pass)
     */
    public static Named refine(QualityEvaluator e, SearchSpace space, Named start, long budgetBytes, int steps, long seed) {
        double[][] bytes = AdditiveModel.weightBytes(space);
        int d = space.dimensions();
        int[][] byBytes = new int[d][];
        int[][] rankOf = new int[d][];
        for (int i = 0; i < d; i++) {
            final double[] b = bytes[i];
            byBytes[i] = java.util.stream.IntStream.range(0, b.length).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(o -> b[o]).thenComparingInt(o -> o)).mapToInt(Integer::intValue).toArray();
            rankOf[i] = new int[b.length];
            for (int r = 0; r < b.length; r++) rankOf[i][byBytes[i][r]] = r;
        }
        Candidate cur = space.candidateOf(start.choices());
        double curKl = start.kl();
        long curBytes = start.weightBytes();
        org.apache.commons.math3.random.RandomGenerator rng = new org.apache.commons.math3.random.Well19937c(seed);
        for (int s = 0; s < steps; s++) {
            int up = rng.nextInt(d);
            int down = rng.nextInt(d);
            if (up == down) continue;
            int ru = rankOf[up][cur.gene(up)] + 1;
            int rd = rankOf[down][cur.gene(down)] - 1 - (rng.nextInt(4) == 0 ? 1 : 0); // sometimes two levels down
            if (ru >= byBytes[up].length || rd < 0) continue;
            Candidate next = space.with(space.with(cur, up, byBytes[up][ru]), down, byBytes[down][rd]);
            long nb = 0;
            for (int i = 0; i < d; i++) nb += (long) bytes[i][next.gene(i)];
            if (nb > budgetBytes) continue;
            double kl = klOf(e.measure(space.choices(next)));
            if (kl < curKl) {
                cur = next;
                curKl = kl;
                curBytes = nb;
            }
        }
        return new Named(start.name(), curKl, curBytes, space.choices(cur));
    }

    /** Each llama.cpp mix measured on the evaluator's text. */
    /**
     * The per-tensor choices of llama.cpp mix {@code name}, every one a format EdgeFront can quantize (so that its
     * quality can be measured).
     *
     * @throws IllegalArgumentException naming the mix when it is unknown or stores a format without a quantizer
     */
    public static Map<String, TensorChoice> measurableMix(ModelArchitecture arch, String name) {
        Map<String, TensorChoice> m = FormatMixes.resolve(arch, name);
        for (Map.Entry<String, TensorChoice> t : m.entrySet()) {
            try {
                t.getValue().requireQuantizable();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("mix " + name + " stores " + t.getKey() + " as " + e.getMessage(), e);
            }
        }
        return m;
    }

    public static List<Named> mixes(QualityEvaluator e, ModelArchitecture arch, List<String> names) {
        List<Named> out = new ArrayList<>();
        for (String n : names) {
            Map<String, TensorChoice> m = measurableMix(arch, n);
            out.add(new Named(n, klOf(e.measure(m)), weightBytes(arch, m), m));
        }
        return out;
    }

    private static double klOf(QualityReport r) {
        return Double.isFinite(r.klNatsPerToken()) && Double.isFinite(r.perplexity()) ? r.klNatsPerToken() : Double.POSITIVE_INFINITY;
    }
}
