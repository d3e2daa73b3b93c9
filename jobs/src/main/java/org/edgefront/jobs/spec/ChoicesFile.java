package org.edgefront.jobs.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/**
 * A per-tensor compression configuration in YAML, as {@code eval --config} reads it and
 * {@code export --to yaml} writes it:
 * <pre>
 * schemaVersion: 1
 * default: Q4_0                   # every tensor not listed below
 * tensors:
 *   token_embd.weight: Q8_0
 *   blk.0.ffn_down.weight: int4g32+2:4
 * </pre>
 *
 * @param schemaVersion must be 1
 * @param defaultChoice choice label for tensors not listed (F32 when absent: uncompressed)
 * @param tensors       tensor name to choice label
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChoicesFile(Integer schemaVersion, @com.fasterxml.jackson.annotation.JsonProperty("default") String defaultChoice,
                          Map<String, String> tensors) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** Reads and validates a choices file against an architecture. */
    public static Map<String, TensorChoice> load(String uri, ModelArchitecture arch) {
        Path p = AtomicFiles.path(uri);
        String text;
        try {
            if (!AtomicFiles.fs(p).exists(p)) throw new InvalidInputException(uri, "(file)", "does not exist");
            text = AtomicFiles.readString(p);
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidInputException(uri, "(file)", "cannot read: " + e.getMessage(), e);
        }
        ChoicesFile f;
        try {
            f = YAML.readValue(text, ChoicesFile.class);
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            // name the key that is wrong (e.g. tensors.blk.0.attn_q.weight), not just the document
            StringBuilder key = new StringBuilder();
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : e.getPath()) {
                if (r.getFieldName() != null) key.append(key.length() == 0 ? "" : ".").append(r.getFieldName());
                else if (r.getIndex() >= 0) key.append('[').append(r.getIndex()).append(']');
            }
            throw new InvalidInputException(uri, key.length() == 0 ? "(document)" : key.toString(), "not a valid choices file: " + e.getOriginalMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInputException(uri, "(document)", "not a valid choices file: " + e.getOriginalMessage());
        }
        if (f == null) throw new InvalidInputException(uri, "(document)", "the file is empty");
        if (f.schemaVersion() == null || f.schemaVersion() != 1) throw new InvalidInputException(uri, "schemaVersion", "must be 1");
        return f.resolve(uri, arch);
    }

    /** Per-tensor choices for every linear tensor of {@code arch}, in architecture order. */
    public Map<String, TensorChoice> resolve(String uri, ModelArchitecture arch) {
        TensorChoice dflt = parse(uri, "default", defaultChoice == null ? "F32" : defaultChoice);
        Map<String, TensorChoice> out = new LinkedHashMap<>();
        for (TensorSpec t : arch.linearTensors()) out.put(t.name(), dflt);
        if (tensors != null) {
            for (Map.Entry<String, String> e : tensors.entrySet()) {
                if (!out.containsKey(e.getKey())) {
                    throw new InvalidInputException(uri, "tensors." + e.getKey(), "no such linear tensor in " + arch.name());
                }
                out.put(e.getKey(), parse(uri, "tensors." + e.getKey(), e.getValue()));
            }
        }
        return out;
    }

    private static TensorChoice parse(String uri, String key, String label) {
        try {
            return TensorChoice.parseOption(label);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidInputException(uri, key, String.valueOf(e.getMessage()), e);
        }
    }

    /** YAML text listing every tensor's choice explicitly. */
    public static String toYaml(Map<String, TensorChoice> choices) {
        Map<String, String> labels = new LinkedHashMap<>();
        choices.forEach((k, v) -> labels.put(k, v.label()));
        try {
            return YAML.writeValueAsString(new ChoicesFile(1, null, labels));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
