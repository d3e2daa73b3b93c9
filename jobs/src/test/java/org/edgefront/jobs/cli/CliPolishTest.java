package org.edgefront.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.edgefront.jobs.CliRun;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.export.Exporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line says what it accepts, suggests valid names, prints JSON only when asked, and starts quietly. */
class CliPolishTest {
    @TempDir
    Path dir;

    @Test
    void helpOfEveryCommandTakingAModelListsEveryCheckpointFormat() {
        for (String cmd : List.of("search", "eval", "inspect", "profile", "fidelity", "compare", "simulate", "generate")) {
            CliRun r = CliRun.of(cmd, "--help");
            assertEquals(0, r.code(), cmd);
            String help = r.out().replaceAll("\\s+", " ");
            for (String format : List.of("llama2.c", "Hugging Face", "GGUF")) assertTrue(help.contains(format), cmd + " help lists " + format + ": " + help);
        }
    }

    @Test
    void unknownDeviceAndFormatListTheClosestValidNames() {
        String model = TestPaths.root().resolve("configs/models/llama-3.2-1b.yaml").toString();
        String typo = TestPaths.root().resolve("configs/devices/samsung-galaxy-s32.yaml").toString();
        CliRun device = CliRun.of("simulate", "--model", model, "--device", typo);
        assertEquals(2, device.code(), device.err());
        assertTrue(device.err().contains("closest profiles") && device.err().contains("samsung-galaxy-s23.yaml"), device.err());

        CliRun format = CliRun.of("simulate", "--model", model, "--device", TestPaths.device("samsung-galaxy-s23").toString(), "--format", "Q4_O");
        assertEquals(2, format.code(), format.err());
        assertTrue(format.err().contains("closest: Q4_0"), format.err());
        assertTrue(format.err().contains("Q4_K_M"), "lists the valid names: " + format.err());
    }

    @Test
    void aDeviceKnownOnlyByASpecRowIsSimulatedItsProfileWrittenAndASearchSaysHowToGetOne(@org.junit.jupiter.api.io.TempDir Path dir) {
        String model = TestPaths.root().resolve("configs/models/tinyllama-1.1b.yaml").toString();
        Path yaml = dir.resolve("nano.yaml");
        CliRun derived = CliRun.of("simulate", "--model", model, "--device", "Jetson Nano", "--write-profile", yaml.toString(), "--json");
        assertEquals(0, derived.code(), derived.err());
        assertTrue(derived.err().contains("derived from the spec row of 'NVIDIA Jetson Nano Developer Kit'"), derived.err());
        CliRun reread = CliRun.of("simulate", "--model", model, "--device", yaml.toString(), "--json");
        assertEquals(0, reread.code(), reread.err());
        assertEquals(derived.out(), reread.out(), "the written profile simulates as the derived one");
        org.edgefront.space.input.InvalidInputException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.edgefront.space.input.InvalidInputException.class, () -> org.edgefront.jobs.spec.ClosestNames.resolveDevice("spec.yaml", "device", "Jetson Nano"));
        assertTrue(e.getMessage().contains("spec row for 'NVIDIA Jetson Nano Developer Kit'") && e.getMessage().contains("--write-profile"), e.getMessage());
    }

    @Test
    void optionErrorsHaveNoStrayFilePrefix() {
        CliRun r = CliRun.of("search", "x.yaml", "--resume", "--force");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: --resume: "), r.err());
    }

    @Test
    void benchSimulatorPrintsJsonOnlyWithJson() throws IOException {
        CliRun text = CliRun.of("bench", "simulator", "--candidates", "2000", "--threads", "1");
        assertEquals(0, text.code(), text.err());
        assertFalse(text.out().contains("{") || text.out().contains("\""), text.out());
        assertTrue(text.out().contains("candidates/s"), text.out());
        CliRun json = CliRun.of("bench", "simulator", "--candidates", "2000", "--threads", "1", "--json");
        assertEquals(0, json.code(), json.err());
        assertNotNull(new ObjectMapper().readTree(json.out()).get("candidates_per_s"), json.out());
    }

    @Test
    void theJvmFlagsOfBinEdgefrontStartWithoutAWarningButTheVectorModulesNotice() throws Exception {
        String script = Files.readString(TestPaths.root().resolve("bin/edgefront"));
        Matcher m = Pattern.compile("(?m)^flags=\"([^\"]*)\"").matcher(script);
        assertTrue(m.find(), "bin/edgefront sets its JVM flags in one line");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(m.group(1).split(" ")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.edgefront.jobs.cli.EdgeFrontCli", "--version"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        // the one deliberate notice: the JVM names the incubating Vector API the SIMD kernels use (it cannot be silenced)
        String others = out.replace("WARNING: Using incubator modules: jdk.incubator.vector\n", "");
        assertTrue(out.length() > others.length(), "the flags load jdk.incubator.vector: " + out);
        assertFalse(others.contains("WARNING"), out);
        assertTrue(out.contains("EdgeFront"), out);
    }

    @Test
    void theClassDataSharingArchiveIsWrittenAndUsedWithoutAWordOnStdout() throws Exception {
        String script = Files.readString(TestPaths.root().resolve("bin/edgefront"));
        Matcher m = Pattern.compile("(?m)^flags=\"([^\"]*)\"").matcher(script);
        assertTrue(m.find(), "bin/edgefront sets its JVM flags in one line");
        List<String> quiet = List.of("-Xlog:cds*=off", "-Xlog:class+path*=off");
        for (String f : List.of("-XX:ArchiveClassesAtExit=", "-XX:SharedArchiveFile=", quiet.get(0), quiet.get(1))) {
            assertTrue(script.contains(f), "bin/edgefront passes " + f);
        }
        // bin/edgefront's class path is jars only (the JVM refuses to archive with a class directory on it), so the
        // build's class directories are jarred here
        String classPath = jarredClassPath();
        Path archive = dir.resolve("cli.jsa");
        Path garbage = Files.writeString(dir.resolve("stale.jsa"), "not an archive");
        // writing the archive, using it, and an archive that does not fit (the JVM then loads classes as usual)
        for (String cds : List.of("-XX:ArchiveClassesAtExit=" + archive, "-XX:SharedArchiveFile=" + archive, "-XX:SharedArchiveFile=" + garbage)) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(List.of(m.group(1).split(" ")));
            cmd.add(cds);
            cmd.addAll(quiet);
            cmd.addAll(List.of("-cp", classPath, "org.edgefront.jobs.cli.EdgeFrontCli", "--version"));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), cds + ": " + out);
            assertTrue(out.matches("EdgeFront [^\\n\\[]*\\n"), cds + " prints only the version on stdout: " + out);
            if (cds.startsWith("-XX:ArchiveClassesAtExit")) assertTrue(Files.size(archive) > 0, "the archive was written at exit");
        }
    }

    /** This JVM's class path with every class directory but the test classes replaced by a jar of it. */
    private String jarredClassPath() throws IOException {
        List<String> out = new ArrayList<>();
        int n = 0;
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            if (!Files.isDirectory(p)) {
                out.add(e);
                continue;
            }
            if (p.endsWith("test-classes")) continue;
            Path jar = dir.resolve("classes-" + n++ + ".jar");
            try (var jo = new java.util.jar.JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(p)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    jo.putNextEntry(new java.util.jar.JarEntry(p.relativize(f).toString().replace(java.io.File.separatorChar, '/')));
                    Files.copy(f, jo);
                    jo.closeEntry();
                }
            }
            out.add(jar.toString());
        }
        return String.join(java.io.File.pathSeparator, out);
    }

    @Test
    void theYamlExportOfAPrunedPointNamesAnOptionEvalHas() throws IOException {
        Path out = CliRun.structureSearch(dir, 8, 1);
        CommandLine.Model.CommandSpec eval = new CommandLine(new EvalCommand()).getCommandSpec();
        Pattern named = Pattern.compile("`eval (--[a-z-]+)`");
        int pruned = 0;
        for (var point : new ObjectMapper().readTree(out.resolve("front.json").toFile()).get("points")) {
            Path yaml = dir.resolve(point.get("id").asText() + ".yaml");
            Exporter.export(out.toString(), point.get("id").asText(), Exporter.Target.YAML, yaml.toString(), false);
            Matcher m = named.matcher(Files.readString(yaml));
            while (m.find()) {
                pruned++;
                assertNotNull(eval.findOption(m.group(1)), "eval has " + m.group(1));
            }
        }
        assertTrue(pruned > 0, "some front point prunes a layer and says how to evaluate it");
    }

    @Test
    void aClusterMasterWithoutSparkSubmitIsRefusedWithTheCommandToUse() throws IOException {
        Path spec = dir.resolve("s.yaml");
        Files.writeString(spec, "schemaVersion: 1\nname: s\nmodel: {source: 'synthetic:tiny'}\ndevice: '" + TestPaths.device("samsung-galaxy-s23")
                + "'\nobjectives: [kl, memory_bytes]\nstrategy: {name: random, seed: 1, populationSize: 2, generations: 1}\n");
        Path out = dir.resolve("never");
        CliRun r = CliRun.of("search", spec.toString(), "--master", "spark://127.0.0.1:7177", "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--master") && r.err().contains("spark-submit") && r.err().contains("edgefront-cluster.jar"), r.err());
        assertFalse(Files.exists(out), "nothing written");
    }

}
