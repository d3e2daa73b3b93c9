package org.edgefront.jobs.run;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.Path;
import org.edgefront.jobs.io.AtomicFiles;

/**
 * The search's convergence, one row per generation (evaluations, feasible, front size, normalized hypervolume), kept
 * as {@code DIR/convergence.csv} for the report's hypervolume-by-generation view. A resumed run replays every
 * generation from its checkpoint, so the file always covers the whole run. Written atomically; the report reads it
 * with {@link #read}. Not thread-safe (the driver loop's listener).
 */
public final class ConvergenceLog implements ProgressListener {
    /** The file name inside a search directory. */
    public static final String FILE = "convergence.csv";
    private static final String HEADER = "generation,evaluations,feasible,front,hypervolume";

    /** One generation's row. */
    public record Row(int generation, int evaluations, long feasible, int front, double hypervolume) {}

    private final List<Row> rows = new ArrayList<>();

    @Override
    public void generationDone(GenerationProgress p) {
        rows.add(new Row(p.generation(), p.evaluations(), p.feasible(), p.frontSize(), p.hypervolume()));
    }

    /** Writes the rows to {@code dir/convergence.csv}. */
    public void write(Path dir) {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "%d,%d,%d,%d,%s%n", r.generation(), r.evaluations(), r.feasible(), r.front(),
                    Double.isNaN(r.hypervolume()) ? "" : Double.toString(r.hypervolume())));
        }
        AtomicFiles.writeString(new Path(dir, FILE), b.toString());
    }

    /** The rows of {@code dir/convergence.csv}; empty when the run has none (older runs, sweeps). */
    public static List<Row> read(String dir) {
        Path p = new Path(AtomicFiles.path(dir), FILE);
        try {
            if (!AtomicFiles.fs(p).exists(p)) return List.of();
        } catch (IOException e) {
            return List.of();
        }
        List<Row> out = new ArrayList<>();
        for (String line : AtomicFiles.readString(p).split("\n")) {
            if (line.isBlank() || line.startsWith("generation")) continue;
            String[] f = line.split(",", -1);
            if (f.length != 5) continue;
            try {
                out.add(new Row(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]),
                        f[4].isEmpty() ? Double.NaN : Double.parseDouble(f[4])));
            } catch (NumberFormatException e) {
                // a damaged row is left out of a view, never fatal
            }
        }
        return out;
    }
}
