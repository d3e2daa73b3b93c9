package org.edgefront.jobs.cli;

import org.edgefront.space.input.InvalidInputException;
import picocli.CommandLine.Option;

/** Where and how a job runs (search and sweep), as a picocli mixin: output directory, resume/force, master, --json. */
final class RunOptions {
    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default runs/<name>); any Hadoop URI.")
    String out;

    @Option(names = "--resume", description = "Continue the run in --out from its checkpoint (finished work is not redone).")
    boolean resume;

    @Option(names = "--force", description = "Replace an existing --out directory.")
    boolean force;

    @Option(names = "--master", description = "Spark master (default from the spec, local[*]); 'sequential' evaluates in the driver.")
    String master;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    /** Fails fast (exit 2) on contradictory options. */
    void validate() {
        if (resume && force) throw new InvalidInputException("-", "--resume", "--resume and --force exclude each other");
    }
}
