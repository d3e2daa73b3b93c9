package org.edgefront.jobs.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Creates the SparkSession of a job with EdgeFront's settings: Kryo with registered classes, a quiet UI
 * in tests, and executor environment for native math libraries. The caller that creates a session
 * stops it. When launched by spark-submit, the master and resources come from spark-submit.
 */
public final class SparkSessions {
    private SparkSessions() {}

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
}
