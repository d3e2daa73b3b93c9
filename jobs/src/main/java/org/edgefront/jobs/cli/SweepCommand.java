package org.edgefront.jobs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import org.edgefront.jobs.results.SearchResult;
import org.edgefront.jobs.sweep.SweepJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code edgefront sweep SWEEP.yaml}: a grid of searches (models x devices x budgets x strategies) in one job. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Run a search for every combination of models x devices x budgets x strategies; one results table partitioned by those keys.")
final class SweepCommand implements Callable<Integer> {
    @Mixin
    RunOptions run = new RunOptions();

    @Parameters(index = "0", paramLabel = "SWEEP.yaml", description = "Sweep spec (see configs/sweeps/).")
    String sweep;

    @Override
    public Integer call() {
        run.validate();
        SweepJob.Outcome o = SweepJob.run(sweep, run.out, run.resume, run.force, run.master, System.err, null);
        if (run.json) {
            ObjectNode n = JsonOut.object();
            n.put("out", o.outDir().toString());
            n.put("elapsed_s", o.elapsedSeconds());
            ArrayNode notResident = n.putArray("not_resident");
            for (String why : o.notResident()) notResident.add(why);
            ArrayNode cells = n.putArray("cells");
            for (int i = 0; i < o.cells().size(); i++) {
                ObjectNode c = cells.addObject();
                c.put("partition", o.cells().get(i).partition());
                c.put("budget", o.cells().get(i).budgetLabel());
                SearchResult r = o.results().get(i);
                if (r != null) {
                    c.put("evaluations", r.evaluations().size());
                    c.put("front_points", r.front().size());
                }
            }
            JsonOut.print(System.out, n);
        } else {
            System.out.print(org.edgefront.jobs.sweep.SweepSummary.table(o.cells(), o.results(), o.elapsedSeconds()));
            for (String why : o.notResident()) System.out.println("  not run: " + why);
            System.out.printf("results in %s/results (partitioned by model, device, budget, strategy)%n", o.outDir());
        }
        return 0;
    }
}
