package org.edgefront.nativert.device;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.edgefront.space.input.InvalidInputException;

/**
 * A strict reader over one YAML/JSON object: every key must be read (unknown keys are errors), required
 * fields must be present, numbers must be finite and within range. Errors name the file and the dotted
 * field path. Not thread-safe (tracks the keys read).
 */
final class ConfigNode {
    private final String file;
    private final String path;
    private final JsonNode node;
    private final Set<String> read = new HashSet<>();

    ConfigNode(String file, String path, JsonNode node) {
        this.file = file;
        this.path = path;
        this.node = node;
        if (node == null || !node.isObject()) throw new InvalidInputException(file, path.isEmpty() ? "(root)" : path, "must be a mapping");
    }

    /**
     * The root mapping of YAML text whose {@code schemaVersion} must be {@code schemaVersion}.
     *
     * @throws InvalidInputException naming {@code file} for text that is not YAML, not a mapping, or another version
     */
    static ConfigNode yamlRoot(String file, String yaml, int schemaVersion) {
        JsonNode root;
        try {
            root = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(yaml);
        } catch (java.io.IOException e) {
            throw new InvalidInputException(file, "(yaml)", "is not valid YAML: " + e.getMessage(), e);
        }
        ConfigNode r = new ConfigNode(file, "", root);
        int version = (int) r.wholeNumber("schemaVersion", 1, 1000);
        if (version != schemaVersion) {
            throw new InvalidInputException(file, "schemaVersion", "is " + version + "; this EdgeFront reads version " + schemaVersion);
        }
        return r;
    }

    private String at(String key) { return path.isEmpty() ? key : path + "." + key; }

    private JsonNode raw(String key, boolean required) {
        read.add(key);
        JsonNode v = node.get(key);
        if ((v == null || v.isNull()) && required) throw new InvalidInputException(file, at(key), "is required");
        return v == null || v.isNull() ? null : v;
    }

    String file() { return file; }

    boolean has(String key) { return node.has(key) && !node.get(key).isNull(); }

    String string(String key) {
        JsonNode v = raw(key, true);
        if (!v.isTextual()) throw new InvalidInputException(file, at(key), "must be a string");
        return v.asText();
    }

    /** A string parsed by {@code parse}; its {@link IllegalArgumentException} becomes bad input naming this field. */
    <T> T parsed(String key, java.util.function.Function<String, T> parse) {
        String s = string(key);
        try {
            return parse.apply(s);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file, at(key), e.getMessage());
        }
    }

    double number(String key, double min, double max) {
        JsonNode v = raw(key, true);
        if (!v.isNumber()) throw new InvalidInputException(file, at(key), "must be a number, got '" + v.asText() + "'");
        double d = v.asDouble();
        if (!Double.isFinite(d)) throw new InvalidInputException(file, at(key), "must be finite");
        if (d < 0 && min >= 0) throw new InvalidInputException(file, at(key), "must not be negative, got " + d);
        if (d < min || d > max) throw new InvalidInputException(file, at(key), "must be in [" + min + ", " + max + "], got " + d);
        return d;
    }

    double numberOr(String key, double min, double max, double fallback) {
        return has(key) ? number(key, min, max) : markRead(key, fallback);
    }

    private double markRead(String key, double v) {
        read.add(key);
        return v;
    }

    long wholeNumber(String key, long min, long max) {
        double d = number(key, min, max);
        if (d != Math.rint(d)) throw new InvalidInputException(file, at(key), "must be a whole number, got " + d);
        return (long) d;
    }

    boolean bool(String key) {
        JsonNode v = raw(key, true);
        if (!v.isBoolean()) throw new InvalidInputException(file, at(key), "must be true or false");
        return v.asBoolean();
    }

    List<String> strings(String key) {
        JsonNode v = raw(key, true);
        if (!v.isArray()) throw new InvalidInputException(file, at(key), "must be a list of strings");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) throw new InvalidInputException(file, at(key) + "[" + i + "]", "must be a string");
            out.add(v.get(i).asText());
        }
        return out;
    }

    List<Integer> wholeNumbers(String key, long min, long max) {
        JsonNode v = raw(key, true);
        if (!v.isArray()) throw new InvalidInputException(file, at(key), "must be a list of whole numbers");
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isIntegralNumber() || e.asLong() < min || e.asLong() > max) {
                throw new InvalidInputException(file, at(key) + "[" + i + "]", "must be a whole number in [" + min + ", " + max + "], got " + e);
            }
            out.add(e.asInt());
        }
        return out;
    }

    ConfigNode object(String key) { return new ConfigNode(file, at(key), raw(key, true)); }

    List<ConfigNode> list(String key) {
        JsonNode v = raw(key, true);
        if (!v.isArray() || v.isEmpty()) throw new InvalidInputException(file, at(key), "must be a non-empty list");
        List<ConfigNode> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) out.add(new ConfigNode(file, at(key) + "[" + i + "]", v.get(i)));
        return out;
    }

    /** Throws for the first key present but never read. */
    void finish() {
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!read.contains(k)) throw new InvalidInputException(file, at(k), "unknown key");
        }
    }
}
