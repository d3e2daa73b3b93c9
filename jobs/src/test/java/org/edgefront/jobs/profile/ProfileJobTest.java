package org.edgefront.jobs.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.evaluators.sensitivity.SensitivityTable;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.jobs.spark.EvaluatorPool;
import org.edgefront.jobs.spark.SparkSessions;
import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.search.additive.ParetoDp;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The profile job on the synthetic tiny model: Spark equals sequential, resume equals uninterrupted. */
@Tag("spark")
class ProfileJobTest {
    private static final long SEED = 7L;
    private static SparkSession spark;
    private static SearchSpace space;
    private static QualityEvaluator.Factory factory;
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @BeforeAll
    static void setUp() throws Exception {
        ModelArchitecture arch;
        try (SyntheticLlama w = SyntheticLlama.tiny(SEED)) {
            arch = w.architecture();
        }
        space = SearchSpace.perTensor(arch, List.of(TensorChoice.parse("F16"), TensorChoice.parse("Q4_0"), TensorChoice.parse("int2g32")));
        List<int[]> tokens = List.of(SyntheticLlama.tokenSequences(SEED, 1, 24, arch.vocabSize()));
        factory = QualityEvaluator.Factory.forSequences(() -> SyntheticLlama.tiny(SEED), tokens, space);
        spark = SparkSessions.create("edgefront-profile-test", "local[2]", false);
    }

    @AfterAll
    static void tearDown() {
        EvaluatorPool.closeAll();
        if (spark != null) spark.stop();
    }

    private static ProfileJob.Outcome run(Path dir, boolean resume, boolean useSpark, int partitions) {
        JavaSparkContext sc = useSpark ? JavaSparkContext.fromSparkContext(spark.sparkContext()) : null;
        return ProfileJob.run(new ProfileJob.Config(factory, space, dir.toString(), resume, partitions), sc, QUIET);
    }

    @Test
    void sparkTableEqualsSequentialTableForAnyPartitioning(@TempDir Path tmp) {
        SensitivityTable seq = run(tmp.resolve("seq"), false, false, 0).table();
        SensitivityTable two = run(tmp.resolve("p2"), false, true, 2).table();
        SensitivityTable five = run(tmp.resolve("p5"), false, true, 5).table();
        assertEquals(seq, two);
        assertEquals(seq, five);
        assertEquals(space.dimensions(), seq.dimensions());
        assertTrue(seq.kl(3, 2) > seq.kl(3, 1), "int2 hurts more than Q4_0");
        // the file on disk is the same table
        assertEquals(two, SensitivityTable.fromJson(AtomicFiles.readString(AtomicFiles.path(tmp.resolve("p2").resolve(ProfileJob.TABLE_FILE).toString())), "t"));
    }

    @Test
    void resumeMeasuresOnlyMissingDecisionsAndGivesTheUninterruptedTable(@TempDir Path tmp) throws Exception {
        Path full = tmp.resolve("full");
        SensitivityTable uninterrupted = run(full, false, false, 0).table();
        // a "killed" run: the meta file, some checkpoints and a half-written temporary, no final table
        Path killed = tmp.resolve("killed");
        Files.createDirectories(killed.resolve(ProfileJob.DECISIONS_DIR));
        Files.copy(full.resolve(ProfileJob.META_FILE), killed.resolve(ProfileJob.META_FILE));
        int kept = 0;
        for (int i = 0; i < space.dimensions(); i += 3) {
            String name = ProfileJob.checkpointName(i);
            Files.copy(full.resolve(ProfileJob.DECISIONS_DIR).resolve(name), killed.resolve(ProfileJob.DECISIONS_DIR).resolve(name));
            kept++;
        }
        Files.writeString(killed.resolve(ProfileJob.DECISIONS_DIR).resolve(".decision-00001.json.tmp-1"), "{\"index\" : 1, \"deci");
        ProfileJob.Outcome resumed = run(killed, true, true, 2);
        assertEquals(kept, resumed.resumed());
        assertEquals(space.dimensions() - kept, resumed.measured());
        assertEquals(uninterrupted, resumed.table());
        // resuming a finished profile measures nothing
        ProfileJob.Outcome again = run(killed, true, false, 0);
        assertEquals(0, again.measured());
        assertEquals(uninterrupted, again.table());
    }

    @Test
    void existingProfileIsNotOverwrittenWithoutResume(@TempDir Path tmp) {
        run(tmp, false, false, 0);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> run(tmp, false, false, 0));
        assertEquals("--out", e.field());
    }

    @Test
    void resumeWithOtherInputsIsRefused(@TempDir Path tmp) {
        run(tmp, false, false, 0);
        List<int[]> other = List.of(SyntheticLlama.tokenSequences(SEED + 1, 1, 24, space.architecture().vocabSize()));
        QualityEvaluator.Factory f = QualityEvaluator.Factory.forSequences(() -> SyntheticLlama.tiny(SEED), other, space);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ProfileJob.run(new ProfileJob.Config(f, space, tmp.toString(), true, 0), null, QUIET));
        assertEquals("fingerprint", e.field());
    }

    @Test
    void additiveModelCarriesExactBytesAndTheProxyOfEveryFrontPoint(@TempDir Path tmp) {
        SensitivityTable t = run(tmp, false, false, 0).table();
        AdditiveModel m = AdditiveModel.bytesAnd(space, t.proxyCosts(space));
        ParetoDp.Front front = ParetoDp.solve(m);
        assertTrue(front.size() > 3);
        double[][] bytes = AdditiveModel.weightBytes(space);
        for (int p = 0; p < front.size(); p++) {
            var c = space.candidate(front.genes(p));
            long b = 0;
            for (int i = 0; i < c.size(); i++) b += (long) bytes[i][c.gene(i)];
            assertEquals(b, front.objective(p, 0), 0.0);
            assertEquals(t.proxy(c), front.objective(p, 1), 1e-12);
        }
        // the cheapest front point is all int2, the most accurate all F16
        assertEquals(space.uniform(2), space.candidate(front.genes(0)));
        assertEquals(t.proxy(space.uniform(0)), front.objective(front.size() - 1, 1), 1e-15);
    }

    @Test
    void structuralDecisionsGetRowsThatFitTheSpaceAndGrowWithPruning(@TempDir Path tmp) throws Exception {
        ModelArchitecture arch = space.architecture();
        SearchSpace structured = space.withStructure(org.edgefront.space.candidate.StructureDecision.forModel(arch,
                List.of(1.0, 0.5), List.of(1.0, 0.75, 0.5), true, List.of()));
        List<int[]> tokens = List.of(SyntheticLlama.tokenSequences(SEED, 2, 24, arch.vocabSize()));
        List<int[]> calibration = List.of(SyntheticLlama.tokenSequences(SEED + 1, 2, 24, arch.vocabSize()));
        QualityEvaluator.Factory f = new QualityEvaluator.Factory(new QualityEvaluator.FixedInputs(() -> SyntheticLlama.tiny(SEED), tokens, calibration),
                structured, QualityEvaluator.DEFAULT_CACHE_BYTES);
        SensitivityTable seq = ProfileJob.run(new ProfileJob.Config(f, structured, tmp.resolve("seq").toString(), false, 0), null, QUIET).table();
        SensitivityTable par = ProfileJob.run(new ProfileJob.Config(f, structured, tmp.resolve("par").toString(), false, 3),
                JavaSparkContext.fromSparkContext(spark.sparkContext()), QUIET).table();
        assertEquals(seq, par);
        assertTrue(seq.fits(structured));
        assertEquals(structured.dimensions(), seq.dimensions());
        int first = structured.decisions().size();
        SensitivityTable.Row ffn = seq.rows().get(first + 1);
        assertEquals("blk.0.ffn_channels", ffn.decision());
        assertTrue(ffn.tensors().isEmpty());
        assertEquals(0.0, ffn.entries().get(0).klNatsPerToken(), 0.0);
        assertTrue(ffn.entries().get(1).klNatsPerToken() > 0 && ffn.entries().get(2).klNatsPerToken() > ffn.entries().get(1).klNatsPerToken(),
                "pruning more channels costs more: " + ffn.entries());
        assertTrue(seq.rows().get(first + 2).entries().get(1).klNatsPerToken() > 0, "dropping a layer costs quality");
        // JSON round trip keeps the tensor-less rows
        assertEquals(seq, SensitivityTable.fromJson(seq.toJson(), "t"));
        assertTrue(!seq.fits(space), "a table with structural rows does not fit a space without them");
    }
}
