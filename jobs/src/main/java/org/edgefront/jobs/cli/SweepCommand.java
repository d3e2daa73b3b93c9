package org.edgefront.jobs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import org.edgefront.jobs.run.SearchResult;
import org.edgefront.jobs.sweep.SweepJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code edgefront sweep SWEEP.yaml}: a grid of searches (models x devices x budgets x strategies) in one job. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Run a search for every combination of models x devices x budgets x strategies; one results table partitioned by those keys.")
final class SweepCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SWEEP.yaml", description = "Sweep spec (see configs/sweeps/).")
    String sweep;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default runs/<sweep name>); any Hadoop URI.")
    String out;

    @Option(names = "--resume", description = "Continue the sweep in --out; finished cells are skipped.")
    boolean resume;

    @Option(names = "--force", description = "Replace an existing --out directory.")
    boolean force;

    @Option(names = "--master", description = "Spark master (default local[*]); 'sequential' evaluates in the driver.")
    String master;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
        SweepJob.Outcome o = SweepJob.run(sweep, out, resume, force, master, System.err, null);
        if (json) {
            ObjectNode n = JsonOut.object();
            n.put("out", o.outDir().toString());
            n.put("elapsed_s", o.elapsedSeconds());
            ArrayNode cells = n.putArray("cells");
            for (int i = 0; i < o.cells().size(); i++) {
                ObjectNode c = cells.addObject();
                c.put("partition", o.cells().get(i).partition());
                SearchResult r = o.results().get(i);
                if (r != null) {
                    c.put("evaluations", r.evaluations().size());
                    c.put("front_points", r.front().size());
                }
            }
            JsonOut.print(System.out, n);
        } else {
            System.out.printf("sweep of %d cells finished in %.1f s; results in %s/results (partitioned by model, device, budget, strategy)%n",
                    o.cells().size(), o.elapsedSeconds(), o.outDir());
        }
        return 0;
    }
}
