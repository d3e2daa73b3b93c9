package org.edgefront.jobs.cli;

import java.io.PrintWriter;
import org.edgefront.space.input.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code edgefront} command line. Exit codes: 0 success, 2 bad input or configuration
 * (an {@link InvalidInputException} or a usage error), 1 internal error, 3 a search that found no candidate
 * within every budget ({@link org.edgefront.jobs.run.BudgetReport}), 130/143 interrupted by SIGINT/SIGTERM. With {@code --json} a
 * command prints exactly one JSON object on stdout; logs and progress go to stderr.
 * Also the {@code spark-submit --class} entry point.
 */
@Command(name = "edgefront", mixinStandardHelpOptions = true, version = "EdgeFront 0.1.0",
        description = "Finds the per-layer compression of an LLM that gives the best quality within a device's memory, energy and latency budgets.",
        subcommands = {SearchCommand.class, InspectCommand.class, EvalCommand.class, SimulateCommand.class, SweepCommand.class, ReportCommand.class, ExportCommand.class, ValidateSimulatorCommand.class, CalibrateHostCommand.class, ProfileCommand.class, FidelityCommand.class, CompareCommand.class, BenchCommand.class, TokenizeCommand.class, GenerateCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:internal error", "2:bad input or configuration (the message names the file and field; nothing written)",
                "3:search finished but no candidate met every budget (stderr lists what each budget excluded)",
                "130:interrupted by Ctrl-C (SIGINT); rerun with --resume", "143:stopped by SIGTERM; rerun with --resume"})
public final class EdgeFrontCli implements Runnable {

    /** Exit code for bad input or configuration. */
    public static final int EXIT_BAD_INPUT = 2;
    /** Exit code for an internal error. */
    public static final int EXIT_INTERNAL = 1;

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose a command (see --help)");
    }

    /** Signal handling of this process (null when embedded, e.g. in tests: then signals keep the JVM's default). */
    Interrupts interrupts;

    /** The command's progress stream: stderr, silenced once interrupted. */
    java.io.PrintStream log() {
        return interrupts == null ? System.err : interrupts.log(System.err);
    }

    /** Progress sink of the running command for the interrupt message (a no-op when embedded). */
    org.edgefront.jobs.run.ProgressListener progress() {
        return interrupts == null ? p -> { } : interrupts.listener();
    }

    public static void main(String[] args) {
        CommandLine cl = commandLine();
        EdgeFrontCli root = cl.getCommand();
        root.interrupts = new Interrupts(System.err);
        root.interrupts.install();
        System.exit(cl.execute(args));
    }

    /** Runs the CLI and returns the exit code (for tests and embedding). */
    public static int execute(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    /** The configured command line (exit-code mapping and error printing). */
    public static CommandLine commandLine() {
        EdgeFrontCli root = new EdgeFrontCli();
        CommandLine cl = new CommandLine(root);
        cl.setExecutionStrategy(parseResult -> {
            if (root.interrupts != null) {
                CommandLine.ParseResult leaf = parseResult;
                while (leaf.subcommand() != null) leaf = leaf.subcommand();
                root.interrupts.running(leaf.commandSpec().name(), leaf.commandSpec().findOption("--resume") != null);
            }
            return explainingOutOfMemory(() -> new CommandLine.RunLast().execute(parseResult), parseResult.commandSpec().commandLine().getErr());
        });
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            boolean dbg = root.debug;
            // after Ctrl-C/SIGTERM the shutdown cancels Spark's job: the interrupt line already said what happened
            if (root.interrupts != null && root.interrupts.interrupted() && !dbg) return EXIT_INTERNAL;
            Throwable cause = ex;
            while (!(cause instanceof InvalidInputException) && cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
            if (cause instanceof InvalidInputException bad) {
                err.println("error: " + bad.getMessage());
                if (dbg) ex.printStackTrace(err);
                err.flush();
                return EXIT_BAD_INPUT;
            }
            if (ex instanceof org.edgefront.jobs.run.SearchRunner.TooManyFailuresException stop) {
                err.println("error: search stopped: " + stop.getMessage());
                err.println("(every evaluation so far is checkpointed: fix the cause, or raise execution.maxFailureRate, and rerun with --resume)");
                if (dbg) ex.printStackTrace(err);
                err.flush();
                return EXIT_INTERNAL;
            }
            err.println("internal error: " + ex);
            if (dbg) ex.printStackTrace(err);
            else err.println("(run with --debug for the stack trace)");
            err.flush();
            return EXIT_INTERNAL;
        });
        return cl;
    }

    /**
     * Runs {@code command}; a JVM out of memory becomes one line that says how much the JVM had and how to give it
     * more (exit 1), rather than a stack trace from the default handler. The failed command's arrays are unreachable
     * once the error has unwound to here, so the message itself can be printed.
     */
    static int explainingOutOfMemory(java.util.function.IntSupplier command, PrintWriter err) {
        try {
            return command.getAsInt();
        } catch (OutOfMemoryError oom) {
            long maxGb = Runtime.getRuntime().maxMemory() >> 30;
            err.println("error: out of memory (" + oom.getMessage() + "; this JVM may use " + maxGb + " GB of heap): give it more with"
                    + " EDGEFRONT_JAVA_OPTS=-Xmx<N>g (bin/edgefront), or lower the model size, --max-tokens or the paragraphs measured");
            err.flush();
            return EXIT_INTERNAL;
        }
    }
}
