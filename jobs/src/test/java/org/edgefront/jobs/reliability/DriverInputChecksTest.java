package org.edgefront.jobs.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.edgefront.jobs.CliRun;
import org.edgefront.jobs.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every input (text, tokenizer, model, device) is read on the driver before any Spark work: a wrong one is exit 2
 * with the file and the option or key named, no stack trace, and nothing in {@code --out}, so the corrected
 * command then runs. Uses the real stories260K files; the failing runs never start Spark (local master asked for).
 */
class DriverInputChecksTest {
    private static final Path MODELS = TestPaths.shared().resolve("models");
    private static final String MODEL = MODELS.resolve("stories260K.bin").toString();
    private static final String TOKENIZER = MODELS.resolve("tok512.bin").toString();
    private static final String TEXT = MODELS.resolve("tinystories_val.txt").toString();

    @TempDir
    Path dir;

    private Path spec(String model) throws IOException {
        Path p = dir.resolve("real.yaml");
        Files.writeString(p, "schemaVersion: 1\nname: real\n" + model
                + "device: '" + TestPaths.device("samsung-galaxy-s23") + "'\n"
                + "space: {options: [Q8_0, Q4_0]}\nquality: {paragraphs: 2, maxTokens: 32}\n"
                + "objectives: [kl, weight_bytes]\nstrategy: {name: random, seed: 3, populationSize: 3, generations: 1}\n");
        return p;
    }

    private static void assertBadInput(CliRun r, String file, String field, Path out) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertTrue(r.err().contains(file), "names the file: " + r.err());
        assertTrue(r.err().contains(field), "names " + field + ": " + r.err());
        assertFalse(r.hasStackTrace(), r.err());
        assertFalse(r.err().contains("Spark") || r.err().contains("Executor"), "no Spark work started: " + r.err());
        assertFalse(Files.exists(out), "nothing written to --out");
    }

    @Test
    void directoryAsTextAndTextFileAsTokenizerFailOnTheDriverAndTheCorrectedRerunWorks() throws IOException {
        Path spec = spec("model: {source: synthetic:tiny}\n");
        Path out = dir.resolve("out");
        String models = MODELS.toString();
        CliRun dirText = CliRun.of("search", spec.toString(), "--model", MODEL, "--tokenizer", TOKENIZER, "--text", models,
                "--master", "local[1]", "--out", out.toString());
        assertBadInput(dirText, models, "--text", out);
        assertTrue(dirText.err().contains("directory"), dirText.err());

        CliRun textTok = CliRun.of("search", spec.toString(), "--model", MODEL, "--tokenizer", TEXT, "--text", TEXT,
                "--master", "local[1]", "--out", out.toString());
        assertBadInput(textTok, TEXT, "--tokenizer", out);

        CliRun fixed = CliRun.of("search", spec.toString(), "--model", MODEL, "--tokenizer", TOKENIZER, "--text", TEXT,
                "--master", "sequential", "--out", out.toString());
        assertEquals(0, fixed.code(), fixed.err());
        assertTrue(Files.exists(out.resolve("front.json")));
    }

    @Test
    void specKeysAreNamedWhenTheSpecHoldsTheWrongFile() throws IOException {
        Path spec = spec("model: {source: '" + MODEL + "', tokenizer: '" + TOKENIZER + "', text: '" + MODELS + "'}\n");
        Path out = dir.resolve("out");
        assertBadInput(CliRun.of("search", spec.toString(), "--master", "local[1]", "--out", out.toString()), MODELS.toString(), "model.text", out);
    }

    @Test
    void tooFewParagraphsIsCaughtBeforeAnyWork() throws IOException {
        Path text = dir.resolve("short.txt");
        Files.writeString(text, "Once upon a time there was a cat.\n");
        Path spec = spec("model: {source: synthetic:tiny}\n");
        Path out = dir.resolve("out");
        assertBadInput(CliRun.of("search", spec.toString(), "--model", MODEL, "--tokenizer", TOKENIZER, "--text", text.toString(),
                "--master", "local[1]", "--out", out.toString()), text.toString(), "--text", out);
    }

    @Test
    void modelAndDeviceThatAreNotWhatTheySayFailWithTheirNames() throws IOException {
        Path out = dir.resolve("out");
        Path spec = spec("model: {source: synthetic:tiny}\n");
        CliRun model = CliRun.of("search", spec.toString(), "--model", TEXT, "--tokenizer", TOKENIZER, "--text", TEXT,
                "--master", "local[1]", "--out", out.toString());
        assertBadInput(model, TEXT, "", out);

        Path badDevice = dir.resolve("device.yaml");
        Files.writeString(badDevice, "schemaVersion: 1\nname: x\n");
        Path spec2 = dir.resolve("dev.yaml");
        Files.writeString(spec2, Files.readString(spec).replaceFirst("device: '[^']*'", "device: '" + badDevice + "'"));
        assertBadInput(CliRun.of("search", spec2.toString(), "--master", "local[1]", "--out", out.toString()), badDevice.toString(), "", out);
    }

    @Test
    void profileChecksItsTextBeforeSparkAndWritesNothing() {
        Path out = dir.resolve("profile");
        CliRun r = CliRun.of("profile", "--model", MODEL, "--tokenizer", TOKENIZER, "--text", MODELS.toString(), "--paragraphs", "2",
                "--out", out.toString());
        assertBadInput(r, MODELS.toString(), "--text", out);
    }
}
