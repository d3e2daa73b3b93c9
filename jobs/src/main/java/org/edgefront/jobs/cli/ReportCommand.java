package org.edgefront.jobs.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import org.edgefront.jobs.report.ReportWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code edgefront report DIR}: writes the offline HTML report of a finished search directory. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write DIR/report.html: a self-contained, offline page with the Pareto plots (budgets drawn), "
                + "per-layer heatmaps of the front points and a table of the front.")
public final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "A finished search directory (path or Hadoop URI).")
    String dir;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the report here instead of DIR/report.html.")
    String out;

    @Option(names = "--json", description = "Print one JSON object on stdout: {\"report\": PATH}.")
    boolean json;

    @Override
    public Integer call() {
        String uri = ReportWriter.write(dir, out);
        // a local file is shown as a plain path
        String written = uri.startsWith("file:") ? java.net.URI.create(uri).getPath() : uri;
        if (json) {
            ObjectNode n = JsonOut.object();
            n.put("report", written);
            JsonOut.print(System.out, n);
        } else {
            System.out.println("report: " + written);
        }
        return 0;
    }
}
