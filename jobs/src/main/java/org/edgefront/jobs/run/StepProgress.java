package org.edgefront.jobs.run;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * Progress of a long command on stderr: numbered steps with the work each did and an ETA from the measured rate
 * (units are the command's own, usually forward passes: every step's cost is proportional to them). Also polls a
 * counter from a daemon thread ({@link #watch}) for work that runs elsewhere, e.g. Spark tasks writing checkpoints.
 * Thread-safe for one driver thread plus the watcher (printing is synchronized).
 */
public final class StepProgress {
    private final PrintStream err;
    private final String task;
    private final int steps;
    private final long totalUnits;
    private final long start = System.nanoTime();
    private long doneUnits;
    private int step;

    /**
     * @param err        where lines go (stderr)
     * @param task       the command's name, e.g. {@code compare}
     * @param steps      number of steps
     * @param totalUnits work units expected over all steps (for the ETA; 0 = unknown)
     */
    public StepProgress(PrintStream err, String task, int steps, long totalUnits) {
        this.err = err;
        this.task = task;
        this.steps = steps;
        this.totalUnits = totalUnits;
    }

    /** Reports that the next step, {@code name}, finished after {@code units} units of work. */
    public synchronized void stepDone(String name, long units, String unitName) {
        step++;
        doneUnits += units;
        err.printf(Locale.ROOT, "%s [%d/%d] %s: %d %s, %.1f s elapsed%s%n", task, step, steps, name, units, unitName, elapsed(), eta());
        err.flush();
    }

    /** Seconds since construction. */
    public double elapsed() { return (System.nanoTime() - start) / 1e9; }

    private String eta() {
        if (totalUnits <= 0 || doneUnits <= 0 || step >= steps) return "";
        double perUnit = elapsed() / doneUnits;
        return String.format(Locale.ROOT, ", ETA %.0f s", Math.max(0, totalUnits - doneUnits) * perUnit);
    }

    /** "done/total unit, elapsed, ETA" for a counter-based task. */
    public static String line(String task, int done, int total, String unit, double elapsedSeconds, int doneAtStart) {
        int fresh = done - doneAtStart;
        String eta = fresh > 0 && done < total ? String.format(Locale.ROOT, ", ETA %.0f s", elapsedSeconds / fresh * (total - done)) : "";
        return String.format(Locale.ROOT, "%s: %d/%d %s, %.1f s elapsed%s", task, done, total, unit, elapsedSeconds, eta);
    }

    /**
     * Prints {@link #line} whenever {@code done} changes (at most every {@code periodMillis}), from a daemon thread,
     * until the returned handle is closed; closing prints the final count.
     */
    public static AutoCloseable watch(PrintStream err, String task, IntSupplier done, int total, String unit, long periodMillis) {
        long t0 = System.nanoTime();
        int atStart = done.getAsInt();
        Thread t = new Thread(() -> {
            int last = atStart;
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
                int now = done.getAsInt();
                if (now != last) {
                    last = now;
                    synchronized (err) {
                        err.println(line(task, now, total, unit, (System.nanoTime() - t0) / 1e9, atStart));
                    }
                }
            }
        }, "edgefront-progress-" + task);
        t.setDaemon(true);
        t.start();
        return () -> {
            t.interrupt();
            t.join();
            synchronized (err) {
                err.println(line(task, done.getAsInt(), total, unit, (System.nanoTime() - t0) / 1e9, atStart));
            }
        };
    }
}
