package org.edgefront.jobs.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.evaluators.sensitivity.SensitivityProfiler;
import org.edgefront.evaluators.sensitivity.SensitivityTable;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.profile.FidelityStudy;
import org.edgefront.jobs.profile.Profiles;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.io.ModelLoader;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The additive proxy ranks real stories260K candidates like the measured KL (the target is Spearman >= 0.95). */
@Tag("slow")
class Stories260kFidelityTest {
    /** Spearman within a +-3% weight-bytes band measured on this sample (asserted with a margin of 0.1). */
    static final double RHO_IN_BAND_MEASURED = 0.970;

    @Test
    void proxyRanksRandomCandidatesOnStories260kWithSpearmanAbove095() throws Exception {
        String model = TestPaths.shared().resolve("models/stories260K.bin").toString();
        String tok = TestPaths.shared().resolve("models/tok512.bin").toString();
        String text = TestPaths.shared().resolve("models/tinystories_val.txt").toString();
        ModelArchitecture arch;
        try (ModelWeights w = ModelLoader.open(model)) {
            arch = w.architecture();
        }
        SearchSpace space = Profiles.space(arch, Profiles.DEFAULT_OPTIONS, "options");
        QualityEvaluator.Factory f = new QualityEvaluator.Factory(new QualityEvaluator.TextInputs(model, tok, text, 0, 5, 256, 0),
                space, QualityEvaluator.DEFAULT_CACHE_BYTES);
        try (QualityEvaluator e = f.create()) {
            SensitivityTable t = new SensitivityProfiler(e, space).profile();
            List<Candidate> cs = FidelityStudy.spanningSample(space, 40, 11, FidelityStudy.DEFAULT_SPREAD);
            FidelityStudy.Result r = FidelityStudy.run(e, space, t, cs);
            assertEquals(0, r.failed());
            assertEquals(40, r.pairs().size());
            assertTrue(r.spearman() >= 0.95, "spearman " + r.spearman());
            // what a search has to rank: candidates of similar size (+-3% weight bytes around the median)
            FidelityStudy.Result band = FidelityStudy.run(e, space, t, NarrowBand.aroundMedianBytes(space, 30, 3000, 11, 0.03));
            assertEquals(30, band.pairs().size());
            System.out.printf("stories260K: Spearman in a +-3%% bytes band %.3f%n", band.spearman());
            assertTrue(band.spearman() >= RHO_IN_BAND_MEASURED - 0.1, "spearman within the band " + band.spearman());
        }
    }
}
