package org.edgefront.jobs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.edgefront.jobs.export.Exporter;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.TensorSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code edgefront export DIR --point ID --to llama-cpp|gguf|gptqmodel|yaml --out FILE}: writes one front point's
 * per-tensor choices in a runtime's format (or, for gguf, the quantized model itself) and prints the command that uses
 * it; {@code export --model M [--tokenizer T] --format F --to gguf --out FILE} writes a model with one format for
 * every tensor. Warnings (one per approximated tensor with {@code --nearest}) go to stderr.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a front point: a llama-quantize --tensor-type-file (llama-cpp), the mixed-precision GGUF itself (gguf), "
                + "a GPTQModel/vLLM dynamic quantize config (gptqmodel) or the per-tensor choices YAML that eval --config reads (yaml).")
public final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "A finished search directory (path or Hadoop URI).")
    String dir;

    @Option(names = "--point", paramLabel = "ID", description = "Id of a front point (see front.json or report.html).")
    String point;

    @Option(names = "--model", paramLabel = "M", description = "Instead of DIR --point: a checkpoint or synthetic:NAME, written with --format (gguf only).")
    String model;

    @Option(names = "--tokenizer", paramLabel = "T", description = "With --model: its tokenizer (llama2.c file, tokenizer.json, Hugging Face directory or GGUF); default: the model's own (a GGUF's, a Hugging Face directory's tokenizer.json; a synthetic model's generated one).")
    String tokenizer;

    @Option(names = "--format", paramLabel = "F", description = "With --model: the format of every linear tensor (e.g. Q4_K, F16, int4g32).")
    String format;

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
        Exporter.Result r;
        Exporter.Target target = Exporter.Target.parse(to);
        if (model != null || format != null) {
            if (dir != null || point != null) throw new InvalidInputException("-", "--model", "give either DIR --point or --model --format, not both");
            if (model == null || format == null) throw new InvalidInputException("-", model == null ? "--model" : "--format", "--model and --format go together");
            if (target != Exporter.Target.GGUF) throw new InvalidInputException("-", "--to", "--model --format writes a GGUF: use --to gguf");
            TensorChoice c;
            try {
                c = TensorChoice.parseOption(format);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("-", "--format", e.getMessage(), e);
            }
            Map<String, TensorChoice> choices = new LinkedHashMap<>();
            for (TensorSpec t : Models.architecture(model).linearTensors()) choices.put(t.name(), c);
            r = Exporter.ggufOf("--format", format, model, tokenizer, choices, out, out);
        } else {
            if (dir == null || point == null) throw new InvalidInputException("-", dir == null ? "DIR" : "--point", "a search directory and --point are required");
            r = Exporter.export(dir, point, target, out, nearest);
        }
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
