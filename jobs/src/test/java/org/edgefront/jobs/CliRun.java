package org.edgefront.jobs;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.edgefront.jobs.cli.EdgeFrontCli;
import picocli.CommandLine;

/**
 * Exit code, stdout and stderr of one in-process CLI invocation through {@link EdgeFrontCli#commandLine()}
 * (so the real exit-code mapping and error printing apply). Swaps System.out/err while it runs: not thread-safe.
 */
public record CliRun(int code, String out, String err) {

    public static CliRun of(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine cl = EdgeFrontCli.commandLine();
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
    public boolean hasStackTrace() {
        return err.contains("\tat ") || err.matches("(?s).*\\n\\s+at [a-z]+\\..*") || err.contains("Caused by:");
    }
}
