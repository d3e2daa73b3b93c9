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
        subcommands = {BenchCommand.Search.class, BenchCommand.Simulator.class, BenchCommand.Forward.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "choose a benchmark: search, simulator or forward");
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
            var r = org.edgefront.nativert.tools.SimulatorBenchmark.runStandard(threads, candidates);
            if (json) {
                System.out.println(org.edgefront.nativert.tools.SimulatorBenchmark.json(r));
            } else {
                System.out.printf(java.util.Locale.ROOT, "%,.0f candidates/s: %,d candidates in %.2f s on %d threads (batches of %d); "
                                + "%,.0f candidates per CPU-second%n", r.candidatesPerSecond(), r.candidates(), r.seconds(), r.threads(),
                        r.batchSize(), r.candidatesPerCpuSecond());
            }
            return 0;
        }
    }

    /** The forward pass's FLOP rate beside the machine's measured GEMM peak (same ND4J/BLAS path, same run). */
    @Command(name = "forward", mixinStandardHelpOptions = true,
            description = "FLOP rate of the forward pass (one sequence) beside this machine's matrix-multiply peak measured "
                    + "through the same ND4J/BLAS path in the same run; also one measured-KL evaluation (every tensor Q4_0). "
                    + "--threads spreads the pass over that many threads (same results); BLAS threads follow OPENBLAS_NUM_THREADS "
                    + "(bin/edgefront sets 1 unless given).")
    static final class Forward implements Callable<Integer> {
        @Option(names = "--model", defaultValue = "synthetic:smollm135m", description = "Model (default ${DEFAULT-VALUE}).")
        String model;

        @Option(names = "--tokens", defaultValue = "512", description = "Tokens in the sequence (default ${DEFAULT-VALUE}).")
        int tokens;

        @Option(names = "--repeat", defaultValue = "3", description = "Timed passes after one warm-up (default ${DEFAULT-VALUE}).")
        int repeat;

        @Option(names = "--gemm-seconds", defaultValue = "1.0", description = "Minimum seconds per GEMM shape (default ${DEFAULT-VALUE}).")
        double gemmSeconds;

        @Option(names = "--threads", defaultValue = "1",
                description = "Threads each pass spreads over, each with one BLAS thread; the GEMM peak is then that many cores' (default ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--json", description = "Print one JSON object on stdout.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (threads < 1) throw new InvalidInputException("-", "--threads", "must be >= 1");
            if (tokens < 2) throw new InvalidInputException("-", "--tokens", "must be >= 2");
            if (repeat < 1) throw new InvalidInputException("-", "--repeat", "must be >= 1");
            if (!(gemmSeconds > 0)) throw new InvalidInputException("-", "--gemm-seconds", "must be > 0");
            var r = org.edgefront.evaluators.bench.ForwardBenchmark.run(model, tokens, repeat, gemmSeconds, threads);
            if (json) {
                System.out.println(r.json());
            } else {
                System.out.printf(java.util.Locale.ROOT, "%s, %d tokens, pass threads %d, BLAS threads %d, SIMD softmax/SiLU %s%n"
                                + "  GEMM peak: %.1f GFLOP/s wall, %.1f GFLOP/s per CPU-second%n"
                                + "  forward pass: %.2f GFLOP in %.3f s wall / %.3f CPU-s = %.1f GFLOP/s wall (%.0f%% of peak), %.1f per CPU-s (%.0f%% of peak)%n"
                                + "  measured-KL evaluation (every tensor Q4_0): %.3f s wall / %.3f CPU-s with compression, %.3f s / %.3f CPU-s cached%n"
                                + "  sensitivity row (one down projection Q4_0, incremental): middle layer %.3f s / %.3f CPU-s, last layer %.3f s / %.3f CPU-s%n",
                        r.model(), r.tokens(), r.passThreads(), r.blasThreads(), r.simdKernels() ? "on" : "off", r.peakWallGflops(), r.peakCpuGflops(), r.forwardGflop(),
                        r.forward().wallSeconds(), r.forward().cpuSeconds(), r.forwardWallGflops(), 100 * r.forwardWallGflops() / r.peakWallGflops(),
                        r.forwardCpuGflops(), 100 * r.forwardCpuGflops() / r.peakCpuGflops(), r.klFirst().wallSeconds(), r.klFirst().cpuSeconds(),
                        r.klCached().wallSeconds(), r.klCached().cpuSeconds(), r.rowMiddle().wallSeconds(), r.rowMiddle().cpuSeconds(),
                        r.rowLast().wallSeconds(), r.rowLast().cpuSeconds());
            }
            return 0;
        }
    }
}
