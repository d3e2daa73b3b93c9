package org.edgefront.jobs.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Creates the SparkSession of a job with EdgeFront's settings: Kryo with registered classes, a quiet UI
 * in tests, and executor environment for native math libraries. The caller that creates a session
 * stops it. When launched by spark-submit, the master and resources come from spark-submit.
 */
public final class SparkSessions {
    private SparkSessions() {}

    /** Tasks per slot when a job does not set its partitions: see {@link #partitions}. */
    public static final int TASKS_PER_SLOT = 4;

    /**
     * Partitions for {@code items} work items: {@code requested} when positive, otherwise {@link #TASKS_PER_SLOT} per
     * slot of the context, never more than the items. Several smaller tasks per slot let a slot that finished early
     * take the next one: candidates and sensitivity rows differ in cost (incremental evaluation recomputes from the
     * first changed layer), and one task per slot left a slot idle behind its neighbour's heavier share.
     */
    public static int partitions(JavaSparkContext sc, int requested, int items) {
        int p = requested > 0 ? requested : TASKS_PER_SLOT * sc.defaultParallelism();
        return Math.max(1, Math.min(p, items));
    }

    /**
     * The cores of each executor of {@code sc}, which the task slots of an executor share through
     * {@link EvaluatorPool}: N for {@code local[N]} (every core for {@code local[*]}), the cores per worker of
     * {@code local-cluster[n,cores,memory]}, else {@code spark.executor.cores} (1 when not set, so nothing spreads
     * beyond what the cluster manager granted).
     */
    public static int coresPerExecutor(JavaSparkContext sc) {
        return coresPerExecutor(sc.master(), sc.getConf());
    }

    static int coresPerExecutor(String master, SparkConf conf) {
        java.util.regex.Matcher local = java.util.regex.Pattern.compile("local\\[(\\*|\\d+)(,\\d+)?\\]").matcher(master);
        if (local.matches()) return "*".equals(local.group(1)) ? Runtime.getRuntime().availableProcessors() : Math.max(1, Integer.parseInt(local.group(1)));
        if (master.equals("local")) return 1;
        java.util.regex.Matcher cluster = java.util.regex.Pattern.compile("local-cluster\\[\\s*\\d+\\s*,\\s*(\\d+)\\s*,.*\\]").matcher(master);
        if (cluster.matches()) return Math.max(1, Integer.parseInt(cluster.group(1)));
        return Math.max(1, conf.getInt("spark.executor.cores", 1));
    }

    /**
     * @param appName application name shown in the Spark UI
     * @param master  Spark master, e.g. {@code local[*]}; used only when spark-submit set none
     * @param ui      start the Spark web UI
     */
    public static SparkSession create(String appName, String master, boolean ui) {
        return create(appName, null, master, ui);
    }

    /**
     * @param appName  application name shown in the Spark UI
     * @param explicit master given on the command line: wins over everything (null = none)
     * @param fallback master when neither the command line nor spark-submit set one (e.g. the spec's {@code local[*]})
     * @param ui       start the Spark web UI
     */
    public static SparkSession create(String appName, String explicit, String fallback, boolean ui) {
        requireApplicationJarFor(explicit, fallback);
        SparkConf conf = new SparkConf(true)
                .setAppName(appName)
                .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryo.registrator", EdgeFrontKryoRegistrator.class.getName())
                .set("spark.kryo.registrationRequired", "true")
                // one BLAS/OpenMP thread per task: Spark already runs one task per core
                .set("spark.executorEnv.OMP_NUM_THREADS", "1")
                .set("spark.executorEnv.OPENBLAS_NUM_THREADS", "1")
                .set("spark.task.maxFailures", "4")
                .set("spark.sql.shuffle.partitions", "4");
        if (explicit != null) conf.setMaster(explicit);
        else if (!conf.contains("spark.master")) conf.setMaster(fallback == null ? "local[*]" : fallback);
        String master = conf.get("spark.master");
        if (master.matches("local\\[[^,\\]]+\\]")) {
            // local mode ignores spark.task.maxFailures: the retry count goes into the master string
            master = master.substring(0, master.length() - 1) + "," + conf.get("spark.task.maxFailures") + "]";
            conf.setMaster(master);
        }
        if (master.startsWith("local") && !conf.contains("spark.driver.host")) {
            conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        }
        conf.set("spark.ui.enabled", Boolean.toString(ui));
        conf.set("spark.ui.showConsoleProgress", "false");
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) {
            conf.set("spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.cachedir=" + cache);
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /**
     * Refuses, before any Spark work, a cluster master when nothing ships EdgeFront's classes to the executors:
     * {@code bin/edgefront} runs from a class path, not a jar Spark could hand out, so every task would die with
     * "unread block data". spark-submit ships the application jar (it sets {@code SPARK_SUBMIT}); so does a
     * {@code spark.jars} property naming it. Local masters ({@code local[*]}, {@code local-cluster[...]}) and
     * {@code sequential} need nothing.
     *
     * @param explicit the command line's master (null = none)
     * @param fallback the spec's master
     * @throws InvalidInputException naming {@code --master} (or the spec's) with the spark-submit command to use
     */
    public static void requireApplicationJarFor(String explicit, String fallback) {
        SparkConf conf = new SparkConf(true);
        String master = explicit != null ? explicit : conf.contains("spark.master") ? conf.get("spark.master") : fallback;
        if (master == null || master.startsWith("local") || master.equals("sequential")) return;
        if (System.getProperty("SPARK_SUBMIT") != null || conf.contains("spark.jars")) return;
        throw new org.edgefront.space.input.InvalidInputException("-", explicit != null ? "--master" : "execution.master",
                master + " runs tasks in executors that need EdgeFront's classes, which bin/edgefront cannot ship: build the "
                        + "application jar (mvn -B -Pcluster -DskipTests package) and submit it with spark-submit --class "
                        + "org.edgefront.jobs.cli.EdgeFrontCli --master " + master + " jobs/target/edgefront-cluster.jar ... "
                        + "(README: Running on a cluster)");
    }
}
