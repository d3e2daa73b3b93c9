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
        subcommands = {BenchCommand.Search.class, BenchCommand.Simulator.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "choose a benchmark: search or simulator");
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

    /** Batched native simulation of random candidates of a 32-layer, 7-tensor model. */
    @Command(name = "simulator", mixinStandardHelpOptions = true,
            description = "Candidates per second of batched JNI simulation of random candidates (32 layers x 7 linear tensors).")
    static final class Simulator implements Callable<Integer> {
        @Option(names = "--threads", defaultValue = "2", description = "Driver threads calling the simulator (default ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--candidates", defaultValue = "1000000", description = "Candidates to simulate (default ${DEFAULT-VALUE}).")
        long candidates;

        @Option(names = "--json", description = "Print one JSON object on stdout.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (threads < 1) throw new InvalidInputException("-", "--threads", "must be >= 1");
            if (candidates < 1) throw new InvalidInputException("-", "--candidates", "must be >= 1");
            var r = org.edgefront.nativert.SimulatorBenchmark.runStandard(threads, candidates);
            if (json) {
                System.out.println(org.edgefront.nativert.SimulatorBenchmark.json(r));
            } else {
                System.out.printf(java.util.Locale.ROOT, "%,.0f candidates/s: %,d candidates in %.2f s on %d threads (batches of %d); "
                                + "%,.0f candidates per CPU-second%n", r.candidatesPerSecond(), r.candidates(), r.seconds(), r.threads(),
                        r.batchSize(), r.candidatesPerCpuSecond());
            }
            return 0;
        }
    }
}
