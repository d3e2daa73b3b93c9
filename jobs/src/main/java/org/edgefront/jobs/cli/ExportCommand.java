package org.edgefront.jobs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import org.edgefront.jobs.export.Exporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code edgefront export DIR --point ID --to TARGET --out FILE}: writes one front point's per-tensor choices in a
 * runtime's format (the targets of {@link Exporter.Target}, listed in the help from that registry) and prints the
 * command that uses it. Warnings (one per approximated tensor with {@code --nearest}) go to stderr.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a front point's per-tensor choices to a runtime's configuration file (see --to).")
public final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "A finished search directory (path or Hadoop URI).")
    String dir;

    @Option(names = "--point", required = true, paramLabel = "ID", description = "Id of a front point (see front.json or report.html).")
    String point;

    @Option(names = "--to", required = true, paramLabel = "FORMAT", completionCandidates = Exporter.TargetNames.class,
            description = "One of: ${COMPLETION-CANDIDATES}.")
    String to;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "File to write (replaced atomically).")
    String out;

    @Option(names = "--nearest", description = "Approximate choices the target cannot store exactly (nearest type; sparsity "
            + "and low rank dropped), with a warning per tensor on stderr, instead of failing.")
    boolean nearest;

    @Option(names = "--json", description = "Print one JSON object on stdout: {\"out\", \"format\", \"point\", \"command\", \"warnings\"}.")
    boolean json;

    @Override
    public Integer call() {
        Exporter.Result r = Exporter.export(dir, point, Exporter.Target.parse(to), out, nearest);
        for (String w : r.warnings()) System.err.println("warning: " + w);
        if (json) {
            ObjectNode n = JsonOut.object();
            n.put("out", r.out());
            n.put("format", r.target().cliName());
            n.put("point", r.pointId());
            n.put("command", r.command());
            ArrayNode w = n.putArray("warnings");
            r.warnings().forEach(w::add);
            JsonOut.print(System.out, n);
        } else {
            System.out.println("wrote " + r.out());
            System.out.println(r.command());
        }
        return 0;
    }
}
