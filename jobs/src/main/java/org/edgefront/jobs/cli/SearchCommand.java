package org.edgefront.jobs.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import org.edgefront.jobs.results.SearchOutputs;
import org.edgefront.jobs.run.BudgetReport;
import org.edgefront.jobs.run.SearchJob;
import org.edgefront.jobs.spec.SearchSpecLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code edgefront search SPEC.yaml}: runs a search and writes front.json and evaluations.parquet. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Search per-tensor compression for a model on a device; writes DIR/front.json, DIR/evaluations.parquet and DIR/report.html.")
final class SearchCommand implements Callable<Integer> {
    @Mixin
    RunOptions run = new RunOptions();

    @picocli.CommandLine.ParentCommand
    EdgeFrontCli parent;

    @Parameters(index = "0", paramLabel = "SPEC.yaml", description = "Search spec (see configs/searches/).")
    String spec;

    @Option(names = "--model", description = "Model to search: " + Models.FORMATS + ", or " + Models.SYNTHETIC + "; overrides the spec.")
    String model;

    @Option(names = "--tokenizer", description = "Tokenizer: llama2.c file or Hugging Face tokenizer.json; overrides the spec.")
    String tokenizer;

    @Option(names = "--text", description = "Evaluation text; overrides the spec.")
    String text;

    @Override
    public Integer call() {
        run.validate();
        SearchJob.Outcome o = SearchJob.run(new SearchJob.Options(spec, new SearchSpecLoader.Overrides(model, tokenizer, text),
                run.out, run.resume, run.force, run.master), parent == null ? System.err : parent.log(), null,
                parent == null ? p -> { } : parent.progress());
        String summary = SearchOutputs.summary(o.search().space(), o.result(), SearchJob.summaryColumns(o.search()));
        if (run.json) {
            ObjectNode n = SearchOutputs.frontJson(o.search().space(), o.result(), o.info());
            n.put("out", o.outDir().toString());
            n.put("elapsed_s", o.result().elapsedSeconds());
            JsonOut.print(System.out, n);
            System.err.print(summary);
        } else {
            System.out.print(summary);
            System.out.printf("wrote %s/front.json, evaluations.parquet and report.html in %.1f s%n", o.outDir(), o.result().elapsedSeconds());
        }
        BudgetReport budgets = BudgetReport.of(o.search().problem(), o.result().evaluations());
        long dram = o.search().device().dram().capacityBytes();
        for (String w : budgets.warnings(c -> org.edgefront.jobs.spec.DramBound.isWholeDram(c, dram))) System.err.println(w);
        if (budgets.noFeasiblePoint()) {
            System.err.println(budgets.noFeasibleMessage());
            return BudgetReport.EXIT_NO_FEASIBLE;
        }
        return 0;
    }
}
