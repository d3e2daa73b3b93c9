package org.edgefront.jobs.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.edgefront.search.bench.SearchBenchmark;
import org.edgefront.space.input.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** {@code edgefront bench ...}: benchmarks that print their figures (recorded in BENCHMARKS.md). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark and print its figures.",
        subcommands = {BenchCommand.Search.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "choose a benchmark: search");
    }

    /** Search strategies on a Llama-3-8B-shaped additive problem vs the exact DP front. */
    @Command(name = "search", mixinStandardHelpOptions = true,
            description = "Hypervolume ratio (vs the exact DP front) and overhead per evaluation of each strategy on a "
                    + "Llama-3-8B-shaped space with additive objectives; extra options: --seed, --evaluations 1000,5000,20000, "
                    + "--strategies random,lhs,nsga2,evopress,greedy,nsga2-dp,dp, --repeat N, --batch, --population.")
    static final class Search implements Callable<Integer> {
        @Option(names = "--json", description = "Print one JSON object on stdout.")
        boolean json;

        @Unmatched
        List<String> rest = new ArrayList<>();

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>(rest);
            if (json) args.add("--json");
            try {
                SearchBenchmark.main(args.toArray(String[]::new));
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new InvalidInputException("-", "bench search", "bad option value: " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("-", "bench search", e.getMessage(), e);
            }
            return 0;
        }
    }
}
