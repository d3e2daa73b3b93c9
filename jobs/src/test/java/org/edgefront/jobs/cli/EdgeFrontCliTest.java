package org.edgefront.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.edgefront.jobs.CliRun;
import org.edgefront.jobs.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgeFrontCliTest {
    @TempDir
    Path dir;

    static CliRun cli(String... args) { return CliRun.of(args); }

    @Test
    void inspectJsonPrintsExactlyOneObjectWithTheTensorList() throws IOException {
        CliRun r = cli("inspect", TestPaths.shared().resolve("models/stories260K.bin").toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertTrue(n.isObject());
        assertEquals(64, n.get("dim").asInt());
        assertEquals(5, n.get("layers").asInt());
        assertEquals(1 + 5 * 7, n.get("tensors").size());
        assertEquals("embedding", n.get("tensors").get(0).get("role").asText());
        // exactly one JSON document: parsing the rest finds nothing more
        var parser = new ObjectMapper().getFactory().createParser(r.out());
        parser.readValueAsTree();
        assertEquals(null, parser.nextToken());
    }

    @Test
    void tokenizePrintsTheIdsTheTokenizerGivesEachParagraph() throws IOException {
        String tok = TestPaths.shared().resolve("models/tok512.bin").toString();
        String text = TestPaths.shared().resolve("models/tinystories_val.txt").toString();
        CliRun r = cli("tokenize", "--tokenizer", tok, "--vocab-size", "512", "--text", text, "--offset", "3", "--paragraphs", "2", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        var ps = org.edgefront.space.io.TextCorpus.paragraphs(text);
        var t = org.edgefront.space.tokenizer.Tokenizers.load(tok, 512);
        long total = 0;
        for (int i = 0; i < 2; i++) {
            JsonNode p = n.get("paragraphs").get(i);
            assertEquals(ps.get(3 + i), p.get("text").asText());
            int[] ids = t.encode(ps.get(3 + i), false, false);
            assertEquals(ids.length, p.get("ids").size());
            for (int k = 0; k < ids.length; k++) assertEquals(ids[k], p.get("ids").get(k).asInt());
            total += ids.length;
        }
        assertEquals(total, n.get("tokens").asLong());
        assertEquals(2, cli("tokenize", "--tokenizer", tok, "--vocab-size", "512", "--text", text, "--offset", "100000").code());
    }

    @Test
    void malformedSpecExitsWithTwoAndNamesFileAndKeyWithoutStackTrace() throws IOException {
        Path spec = dir.resolve("bad.yaml");
        Files.writeString(spec, "schemaVersion: 1\nmodel: {source: 'synthetic:tiny'}\ndevice: "
                + TestPaths.device("samsung-galaxy-s23") + "\nstrategy: {generations: -3}\n");
        CliRun r = cli("search", spec.toString(), "--out", dir.resolve("out").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bad.yaml") && r.err().contains("strategy.generations"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --debug");
        assertFalse(Files.exists(dir.resolve("out")), "no partial output");
    }

    @Test
    void missingModelFileExitsWithTwo() {
        CliRun r = cli("inspect", dir.resolve("nope.bin").toString(), "--json");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("nope.bin"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void unknownOptionIsAUsageErrorWithExitTwo() {
        assertEquals(2, cli("inspect", "--frobnicate").code());
    }

    @Test
    void helpListsTheCommands() {
        CliRun r = cli("--help");
        assertEquals(0, r.code());
        for (String c : new String[] {"search", "inspect", "eval", "simulate"}) assertTrue(r.out().contains(c), c);
    }

    @Test
    void impossibleMemoryBudgetExitsWithTwoBeforeWritingAnything() throws IOException {
        Path spec = dir.resolve("tight.yaml");
        Files.writeString(spec, "schemaVersion: 1\nmodel: {source: 'synthetic:tiny'}\ndevice: "
                + TestPaths.device("samsung-galaxy-s23") + "\nbudgets: {memory_bytes: {atMost: 1000}}\n");
        CliRun r = cli("search", spec.toString(), "--out", dir.resolve("out").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("budgets.memory_bytes") && r.err().contains("impossible"), r.err());
        assertFalse(Files.exists(dir.resolve("out")), "no partial output");
    }

    @Test
    void aJvmOutOfMemoryIsOneLineSayingHowToGiveItMoreWithExit1() {
        java.io.StringWriter buf = new java.io.StringWriter();
        int code = EdgeFrontCli.explainingOutOfMemory(() -> { throw new OutOfMemoryError("Java heap space"); }, new java.io.PrintWriter(buf));
        assertEquals(EdgeFrontCli.EXIT_INTERNAL, code);
        String err = buf.toString();
        assertTrue(err.startsWith("error: out of memory (Java heap space; this JVM may use ") && err.contains("EDGEFRONT_JAVA_OPTS=-Xmx"), err);
        assertEquals(1, err.lines().count(), err);
        assertEquals(7, EdgeFrontCli.explainingOutOfMemory(() -> 7, new java.io.PrintWriter(buf)), "other results pass through");
    }
}
