package org.edgefront.jobs.reliability;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.edgefront.jobs.cli.EdgeFrontCli;
import org.edgefront.jobs.cli.ValidateSimulatorCommand;
import picocli.CommandLine;

/**
 * Exit code, stdout and stderr of one in-process CLI invocation through {@link EdgeFrontCli#commandLine()}
 * (so the real exit-code mapping and error printing apply). Swaps System.out/err while it runs: not thread-safe.
 */
record CliRun(int code, String out, String err) {

    static CliRun of(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine cl = EdgeFrontCli.commandLine();
            // validate-simulator is being added to the root command by another change; register it here
            // when the root does not have it yet, so the same exception handler (exit codes) applies
            if (!cl.getSubcommands().containsKey("validate-simulator")) cl.addSubcommand("validate-simulator", new ValidateSimulatorCommand());
            cl.setOut(new PrintWriter(System.out, true));
            cl.setErr(new PrintWriter(System.err, true));
            code = cl.execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** True when stderr shows a Java stack trace (frames or an exception class dump). */
    boolean hasStackTrace() {
        return err.contains("\tat ") || err.matches("(?s).*\\n\\s+at [a-z]+\\..*") || err.contains("Caused by:");
    }
}
