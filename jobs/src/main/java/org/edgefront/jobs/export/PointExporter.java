package org.edgefront.jobs.export;

import java.util.List;
import org.apache.hadoop.fs.Path;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.jobs.results.SearchDirectory;

/**
 * One export target: turns a front point of a finished search into a runtime's file. Every target
 * implements this and is listed once in {@link Exporter.Target}, which also drives the command line's help text;
 * {@link Exporter#export} does the rest (reading the point, refusing pruned points a target cannot record, writing
 * the file atomically). Implementations are stateless and thread-safe.
 */
public interface PointExporter {
    /** What the target writes, for the help text (a noun phrase, e.g. "a llama-quantize --tensor-type-file"). */
    String description();

    /** True when the file can record a structurally pruned point; otherwise such points are refused. */
    default boolean recordsStructure() { return false; }

    /**
     * Writes one point's file to {@code out}, atomically, and says how to use it.
     *
     * @throws org.edgefront.space.input.InvalidInputException naming {@link Request#file()} for a choice the target
     *         cannot represent (without {@link Request#nearest()})
     */
    Written write(Request request, Path out);

    /** A target whose file is text (a configuration file): it builds the text, {@link #write} stores it. */
    interface Text extends PointExporter {
        /**
         * The file for one point.
         *
         * @throws org.edgefront.space.input.InvalidInputException as {@link PointExporter#write}
         */
        Output export(Request request);

        @Override
        default Written write(Request request, Path out) {
            Output o = export(request);
            AtomicFiles.writeString(out, o.text());
            return new Written(o.command(), o.warnings());
        }
    }

    /**
     * @param searchDir the search directory as given
     * @param file      where the point comes from, for messages ({@code DIR/front.json (point ID)})
     * @param pointId   the point's id
     * @param point     the point: per-tensor choice labels, structure, metrics
     * @param spec      the run's resolved spec, or null when the directory has none or it cannot be read
     * @param shownOut  the output file as the user should see it
     * @param nearest   approximate choices the target cannot store exactly (a warning each) instead of failing
     */
    record Request(String searchDir, String file, String pointId, SearchDirectory.EvaluatedPoint point,
                   org.edgefront.jobs.spec.SearchSpec spec, String shownOut, boolean nearest) {}

    /**
     * @param text     the file's contents
     * @param command  the command that uses the file (placeholders in capitals)
     * @param warnings approximations and runtime caveats, one line each
     */
    record Output(String text, String command, List<String> warnings) {
        public Output {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * @param command  the command that uses the written file (placeholders in capitals)
     * @param warnings approximations and runtime caveats, one line each
     */
    record Written(String command, List<String> warnings) {
        public Written {
            warnings = List.copyOf(warnings);
        }
    }
}
