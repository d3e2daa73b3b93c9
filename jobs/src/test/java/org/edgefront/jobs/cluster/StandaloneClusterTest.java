package org.edgefront.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.edgefront.jobs.CliRun;
import org.edgefront.jobs.TestPaths;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark standalone cluster on 127.0.0.1, as a user starts one by hand: a {@code Master} and two {@code Worker}
 * JVMs from the Spark jars (a {@code SPARK_HOME} whose {@code jars/} holds them, {@code SPARK_SCALA_VERSION=2.13}),
 * each worker launching its executor in its own JVM. The application jar is submitted through spark-submit's entry
 * point ({@code org.apache.spark.deploy.SparkSubmit}); it is {@code jobs/target/edgefront-cluster.jar} when
 * {@code mvn -Pcluster package} built it, otherwise a jar of EdgeFront's classes made here (then EdgeFront's
 * third-party dependencies come from the cluster's {@code jars/}, as Spark's own do). One worker is killed with
 * SIGKILL (its executor with it) once the first generation is checkpointed; Spark reruns the lost tasks on the other
 * worker, and the front equals a sequential run's exactly. Logs: {@code target/cluster/}.
 */
@Tag("cluster")
@Tag("slow")
class StandaloneClusterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopCluster() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static boolean isEdgeFront(Path p) {
        return p.toAbsolutePath().normalize().startsWith(TestPaths.root()) && !p.toString().contains("test-classes");
    }

    /** SPARK_HOME/jars with every third-party jar of this JVM's class path (Spark, Hadoop, and EdgeFront's dependencies). */
    private Path sparkHome() throws IOException {
        Path jars = Files.createDirectories(dir.resolve("spark-home/jars"));
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (!e.endsWith(".jar") || isEdgeFront(p) || !Files.isRegularFile(p)) continue;
            Path link = jars.resolve(p.getFileName());
            if (!Files.exists(link)) Files.createSymbolicLink(link, p.toAbsolutePath());
        }
        return jars.getParent();
    }

    /** The shaded jar when built, else EdgeFront's classes (and native library) of this class path in one jar. */
    private Path applicationJar() throws IOException {
        Path shaded = TestPaths.root().resolve("jobs/target/edgefront-cluster.jar");
        if (Files.isRegularFile(shaded) && Files.getLastModifiedTime(shaded).compareTo(
                Files.getLastModifiedTime(TestPaths.root().resolve("jobs/target/classes"))) >= 0) return shaded;
        Path jar = dir.resolve("edgefront-app.jar");
        Set<String> names = new HashSet<>();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path p = Path.of(e);
                if (!isEdgeFront(p)) continue;
                if (Files.isDirectory(p)) {
                    try (Stream<Path> files = Files.walk(p)) {
                        for (Path f : files.filter(Files::isRegularFile).toList()) {
                            String name = p.relativize(f).toString().replace(File.separatorChar, '/');
                            if (names.add(name)) copy(out, name, Files.newInputStream(f));
                        }
                    }
                } else if (e.endsWith(".jar")) {
                    try (JarFile j = new JarFile(p.toFile())) {
                        for (JarEntry en : java.util.Collections.list(j.entries())) {
                            if (!en.isDirectory() && !en.getName().startsWith("META-INF/") && names.add(en.getName())) copy(out, en.getName(), j.getInputStream(en));
                        }
                    }
                }
            }
        }
        return jar;
    }

    private static void copy(JarOutputStream out, String name, InputStream in) throws IOException {
        try (in) {
            out.putNextEntry(new JarEntry(name));
            in.transferTo(out);
            out.closeEntry();
        }
    }

    private List<String> jvm(Path home, String mainClass, String xmx) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + xmx);
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc")
                    || a.startsWith("-XX:+IgnoreUnrecognized") || a.startsWith("-Dio.netty") || a.startsWith("-Dorg.bytedeco")) cmd.add(a);
        }
        cmd.addAll(List.of("-cp", home.resolve("jars") + "/*", mainClass));
        return cmd;
    }

    private Process start(List<String> cmd, Path home, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private static void awaitLog(Path log, String text, int times, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String s = Files.exists(log) ? Files.readString(log) : "";
            if (s.split(java.util.regex.Pattern.quote(text), -1).length - 1 >= times) return;
            if (!p.isAlive()) break;
            Thread.sleep(200);
        }
        throw new AssertionError("no '" + text + "' x" + times + " in " + log + ":\n" + (Files.exists(log) ? Files.readString(log) : ""));
    }

    private static int checkpoints(Path out) throws IOException {
        Path state = out.resolve("state");
        if (!Files.isDirectory(state)) return 0;
        try (Stream<Path> s = Files.list(state)) {
            return (int) s.filter(p -> p.getFileName().toString().matches("gen-\\d{6}\\.json")).count();
        }
    }

    @Test
    void shadedJarSubmittedToATwoWorkerClusterSurvivesAWorkerKillWithTheSequentialFront() throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "cluster"));
        Path spec = dir.resolve("cluster.yaml");
        Files.writeString(spec, "schemaVersion: 1\nname: cluster\nmodel: {source: 'synthetic:tiny'}\n"
                + "device: '" + TestPaths.device("samsung-galaxy-s23") + "'\n"
                + "space: {options: [F16, Q8_0, Q4_0, int3g32, int2g32]}\nquality: {sequences: 3, maxTokens: 32}\n"
                + "objectives: [kl, memory_bytes]\nstrategy: {name: nsga2, seed: 23, populationSize: 8, generations: 6}\n"
                + "execution: {partitions: 4}\n");
        Path home = sparkHome();
        Path app = applicationJar();
        int port = freePort();
        String master = "spark://127.0.0.1:" + port;
        Path masterLog = logs.resolve("master.log");
        Process m = start(concat(jvm(home, "org.apache.spark.deploy.master.Master", "512m"),
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort())), home, masterLog);
        awaitLog(masterLog, "I have been elected leader", 1, m);
        List<Process> workers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            workers.add(start(concat(jvm(home, "org.apache.spark.deploy.worker.Worker", "512m"), "--host", "127.0.0.1",
                    "--cores", "1", "--memory", "1500m", "--webui-port", Integer.toString(freePort()),
                    "--work-dir", dir.resolve("work-" + w).toString(), master), home, logs.resolve("worker-" + w + ".log")));
        }
        awaitLog(masterLog, "Registering worker", 2, m);

        Path out = dir.resolve("out");
        String executorOpts = String.join(" ", jvm(home, "x", "1g").subList(2, jvm(home, "x", "1g").size() - 3));
        Path driverLog = logs.resolve("driver.log");
        Process driver = start(concat(jvm(home, "org.apache.spark.deploy.SparkSubmit", "1g"), "--master", master,
                "--deploy-mode", "client", "--class", "org.edgefront.jobs.cli.EdgeFrontCli",
                "--conf", "spark.executor.memory=1g", "--conf", "spark.cores.max=2", "--conf", "spark.driver.host=127.0.0.1",
                "--conf", "spark.executor.extraJavaOptions=" + executorOpts, "--conf", "spark.executorEnv.OMP_NUM_THREADS=1",
                app.toString(), "search", spec.toString(), "--out", out.toString()), home, driverLog);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (driver.isAlive() && checkpoints(out) < 1 && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(driver.isAlive(), "the job runs on the cluster: " + Files.readString(driverLog));
        Process victim = workers.get(0);
        victim.descendants().forEach(ProcessHandle::destroyForcibly); // its executor JVM
        victim.destroyForcibly();
        assertTrue(driver.waitFor(600, TimeUnit.SECONDS), "the job finishes on the remaining worker");
        String driverOut = Files.readString(driverLog);
        assertEquals(0, driver.exitValue(), driverOut);
        assertTrue(driverOut.contains("evaluations: spark " + master), "evaluated on the cluster: " + driverOut);

        Path seqOut = dir.resolve("sequential");
        CliRun seq = CliRun.of("search", spec.toString(), "--master", "sequential", "--out", seqOut.toString());
        assertEquals(0, seq.code(), seq.err());
        assertEquals(JSON.readTree(seqOut.resolve("front.json").toFile()).get("points"), JSON.readTree(out.resolve("front.json").toFile()).get("points"));
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }
}
