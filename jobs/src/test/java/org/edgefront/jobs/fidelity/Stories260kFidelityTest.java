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
        }
    }
}
