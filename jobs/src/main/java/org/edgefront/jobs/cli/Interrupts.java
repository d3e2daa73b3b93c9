package org.edgefront.jobs.cli;

import java.io.PrintStream;
import org.edgefront.jobs.run.ProgressListener;
import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) and SIGTERM on the driver are a user's decision, not a crash: the handler prints one line
 * ({@code interrupted after generation N of M; rerun with --resume}) and exits with 130 or 143 (128 + the signal
 * number, as a shell reports it). Checkpoints are written atomically (temp file, then rename), so whatever
 * generation was in flight is simply redone by {@code --resume}. Once interrupted, the error handler stays silent
 * (the Spark job that the shutdown cancels is not an error to report), and Spark's own log output is switched off.
 *
 * <p>One instance per process, created and installed by {@link EdgeFrontCli#main}; commands report progress to it.
 * Thread-safe: the signal handler runs on its own thread and reads the volatile progress the driver thread writes.
 */
final class Interrupts {
    private final PrintStream err;
    private volatile String command = "";
    private volatile boolean resumable;
    private volatile ProgressListener.GenerationProgress last;
    private volatile boolean interrupted;

    Interrupts(PrintStream err) { this.err = err; }

    /** Handles SIGINT and SIGTERM from now on. */
    void install() {
        Signal.handle(new Signal("INT"), s -> interrupt(130));
        Signal.handle(new Signal("TERM"), s -> interrupt(143));
    }

    /** The command now running, and whether it can continue with {@code --resume}. */
    void running(String name, boolean canResume) {
        command = name;
        resumable = canResume;
    }

    /** Records the last finished generation (the driver loop's listener). */
    ProgressListener listener() { return p -> last = p; }

    /**
     * {@code err} until a signal arrives, then silent: the driver may finish a progress line while the JVM shuts
     * down, which would read as if the run went on after "interrupted".
     */
    java.io.PrintStream log(java.io.PrintStream err) {
        return new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                if (!interrupted) err.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (!interrupted) err.write(b, off, len);
            }

            @Override
            public void flush() { err.flush(); }
        }, true, java.nio.charset.Charset.defaultCharset());
    }

    /** True once a signal arrived: errors that follow are the shutdown's, not the user's. */
    boolean interrupted() { return interrupted; }

    /** The line printed on a signal. */
    String message() {
        ProgressListener.GenerationProgress p = last;
        String where = p != null ? " after generation " + p.generation() + " of " + p.generations()
                : command.equals("search") ? " before the first generation finished" : "";
        String what = command.isEmpty() ? "" : command + " ";
        return what + "interrupted" + where + (resumable ? "; rerun with --resume to continue from the checkpoint" : "");
    }

    private void interrupt(int exitCode) {
        if (interrupted) return;
        interrupted = true;
        quietLogs();
        err.println(message());
        err.flush();
        // runs the shutdown hooks (Spark stops its context and removes its temporary files)
        System.exit(exitCode);
    }

    /** The cancelled Spark job logs errors while the JVM shuts down; they are the interrupt, not news. */
    private static void quietLogs() {
        try {
            org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.OFF);
            org.apache.logging.log4j.core.config.Configurator.setAllLevels("org.apache.spark", org.apache.logging.log4j.Level.OFF);
        } catch (LinkageError e) {
            // no log4j core on the classpath (e.g. a cluster that ships another backend): the messages stay
        }
    }
}
