package org.edgefront.jobs.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.edgefront.jobs.cli.CompareCommand;
import org.edgefront.jobs.cli.FidelityCommand;
import org.edgefront.jobs.profile.FidelityStudy;
import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The fidelity and compare commands on the synthetic tiny model (few tokens, so seconds). */
class FidelityCommandTest {

    private static JsonNode runJson(Object command, String... args) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            rc = new CommandLine(command).execute(args);
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc, buf.toString(StandardCharsets.UTF_8));
        return new ObjectMapper().readTree(buf.toString(StandardCharsets.UTF_8));
    }

    @Test
    void spanningSampleIsSeededAndSpansLightToHeavyCompression() {
        SearchSpace space = SearchSpace.perTensor(SyntheticLlama.tiny(1).architecture(),
                List.of("F16", "Q8_0", "Q5_0", "Q4_0", "int4g32", "int3g32", "int2g32").stream().map(TensorChoice::parse).toList());
        List<Candidate> a = FidelityStudy.spanningSample(space, 200, 5, 1.0);
        assertEquals(a, FidelityStudy.spanningSample(space, 200, 5, 1.0));
        assertNotEquals(a, FidelityStudy.spanningSample(space, 200, 6, 1.0));
        double[][] bytes = AdditiveModel.weightBytes(space);
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (Candidate c : a) {
            double b = 0;
            for (int i = 0; i < c.size(); i++) b += bytes[i][c.gene(i)];
            min = Math.min(min, b);
            max = Math.max(max, b);
        }
        double f16 = 0;
        double int2 = 0;
        for (double[] row : bytes) {
            f16 += row[0];
            int2 += row[6];
        }
        // within 25% of both ends of the byte range
        assertTrue(max > f16 - 0.25 * (f16 - int2), "lightest candidate " + max + " of " + f16);
        assertTrue(min < int2 + 0.25 * (f16 - int2), "heaviest candidate " + min + " of " + int2);
    }

    @Test
    void fidelityPrintsOnePairPerSampleAndAHighSpearman() throws Exception {
        JsonNode n = runJson(new FidelityCommand(), "--model", "synthetic:tiny", "--samples", "24", "--seed", "3", "--paragraphs", "2",
                "--max-tokens", "40", "--json");
        JsonNode pairs = n.get("pairs");
        assertEquals(24, pairs.size());
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (JsonNode p : pairs) {
            assertTrue(p.get("proxy").asDouble() >= 0);
            lo = Math.min(lo, p.get("measured_kl").asDouble());
            hi = Math.max(hi, p.get("measured_kl").asDouble());
        }
        assertTrue(hi > 20 * lo, "candidates span light to heavy: KL " + lo + " .. " + hi);
        double rho = n.get("spearman").asDouble();
        assertTrue(rho > 0.9, "spearman " + rho);
    }

    /**
     * Within a band of +-3% weight bytes around the median candidate, the proxy must still rank candidates like the
     * measured KL: measured Spearman RHO_IN_BAND_MEASURED on this sample, asserted with a margin of 0.1.
     */
    @Test
    void proxyRanksCandidatesOfSimilarSizeInANarrowBytesBand() throws Exception {
        var arch = SyntheticLlama.tiny(1).architecture();
        SearchSpace space = org.edgefront.jobs.profile.Profiles.space(arch, org.edgefront.jobs.profile.Profiles.DEFAULT_OPTIONS, "--options");
        List<int[]> eval = List.of(SyntheticLlama.tokenSequences(1, 2, 40, arch.vocabSize()));
        List<Candidate> band = NarrowBand.aroundMedianBytes(space, 24, 3000, 5, 0.03);
        try (var w = SyntheticLlama.tiny(1);
             var e = new org.edgefront.evaluators.quality.QualityEvaluator(space, w, eval)) {
            var table = new org.edgefront.evaluators.sensitivity.SensitivityProfiler(e, space).profile();
            FidelityStudy.Result r = FidelityStudy.run(e, space, table, band);
            assertEquals(24, r.pairs().size());
            assertTrue(NarrowBand.bytesSpread(r.pairs()) <= 1.07, "band spread " + NarrowBand.bytesSpread(r.pairs()));
            System.out.printf("synthetic tiny: Spearman in a +-3%% bytes band %.3f%n", r.spearman());
            assertTrue(r.spearman() >= RHO_IN_BAND_MEASURED - 0.1, "Spearman within the band " + r.spearman());
        }
    }

    static final double RHO_IN_BAND_MEASURED = 0.944;

    @Test
    void compareKeepsSearchedWithinUniformBytesAndNoWorseThanUniform() throws Exception {
        JsonNode n = runJson(new CompareCommand(), "--model", "synthetic:tiny", "--bits-per-weight", "4.0", "--paragraphs", "2",
                "--max-tokens", "40", "--mixes", "Q4_K_M,Q8_0", "--json");
        long budget = n.get("budget_bytes").asLong();
        assertEquals((long) Math.floor(4.0 * n.get("linear_parameters").asLong() / 8.0), budget);
        JsonNode u = n.get("uniform");
        JsonNode s = n.get("searched");
        assertTrue(u.get("weight_bytes").asLong() <= budget);
        assertTrue(s.get("weight_bytes").asLong() <= u.get("weight_bytes").asLong());
        assertTrue(s.get("kl").asDouble() <= u.get("kl").asDouble());
        assertEquals(SyntheticLlama.tiny(1).architecture().linearTensors().size(), s.get("choices").size());
        assertEquals(2, n.get("llama_cpp_mixes").size());
        assertEquals("Q4_K_M", n.get("llama_cpp_mixes").get(0).get("name").asText());
        assertTrue(n.get("llama_cpp_mixes").get(1).get("kl").asDouble() < n.get("llama_cpp_mixes").get(0).get("kl").asDouble(),
                "Q8_0 is closer to the reference than Q4_K_M");
    }

    @Test
    void compareMeasuresEveryOptionAppliedUniformlyThatFitsTheBudget() throws Exception {
        var arch = SyntheticLlama.tiny(1).architecture();
        var space = org.edgefront.jobs.profile.Profiles.space(arch, java.util.List.of("Q8_0", "int4g32", "int4g32+gptq"), "--options");
        java.util.List<int[]> eval = java.util.List.of(SyntheticLlama.tokenSequences(1, 2, 32, arch.vocabSize()));
        java.util.List<int[]> cal = java.util.List.of(SyntheticLlama.tokenSequences(2, 2, 32, arch.vocabSize()));
        try (var w = SyntheticLlama.tiny(1);
             var e = org.edgefront.evaluators.quality.QualityEvaluator.calibrated(space, w, eval, cal, Long.MAX_VALUE)) {
            var table = new org.edgefront.evaluators.sensitivity.SensitivityProfiler(e, space).profile();
            var q4 = space.choices(space.uniform(1));
            long budget = org.edgefront.jobs.profile.CompareStudy.weightBytes(arch, q4);
            // measureTop 0: only the uniform anchors are measured; Q8_0 does not fit, int4g32 and its GPTQ variant do
            int[] measured = new int[1];
            var best = org.edgefront.jobs.profile.CompareStudy.bestSearched(e, space, table, budget, 0, null, measured);
            assertEquals(2, measured[0]);
            double rtn = e.measure(q4).klNatsPerToken();
            double gptq = e.measure(space.choices(space.uniform(2))).klNatsPerToken();
            assertEquals(Math.min(rtn, gptq), best.kl(), 0.0);
            assertEquals("uniform-anchor", best.name());
        }
    }

    @Test
    void fidelityWithStructureLeversPairsStructuredCandidates() throws Exception {
        JsonNode n = runJson(new FidelityCommand(), "--model", "synthetic:tiny", "--samples", "12", "--seed", "4", "--paragraphs", "2",
                "--calibration-paragraphs", "2", "--max-tokens", "32", "--options", "F16,Q4_0", "--ffn-channels", "0.5", "--drop-layers", "--json");
        assertEquals(12, n.get("pairs").size() + n.get("failed").asInt());
        long full = SyntheticLlama.tiny(1).architecture().linearParameterCount() * 2;
        boolean pruned = false;
        for (JsonNode p : n.get("pairs")) pruned |= p.get("weight_bytes").asLong() < full / 4;
        assertTrue(pruned, "levels span to heavy compression, which with structure prunes below Q4_0's size");
        assertTrue(Double.isFinite(n.get("spearman").asDouble()));
    }

    @Test
    void badSampleCountFailsBeforeAnyWork() {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            rc = new CommandLine(new FidelityCommand()).execute("--model", "synthetic:tiny", "--samples", "0", "--json");
        } finally {
            System.setErr(oldErr);
        }
        assertNotEquals(0, rc);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--samples"), err.toString(StandardCharsets.UTF_8));
    }
}
