package org.edgefront.nativert.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.edgefront.nativert.device.ConfigFiles;
import org.edgefront.space.input.InvalidInputException;

/**
 * What a measurement row's generic {@code weight_format} label stored, where the row's engine names the script that
 * produced it and that script's own source says which quantization it ran: NVIDIA's Jetson benchmark table says
 * "INT4", and its script ran MLC's {@code q4f16_ft} for most models but {@code q4f16_1} for Gemma-2. Read from a CSV
 * ({@code configs/measurements/format-provenance.csv}) with the columns {@code engine_contains}, {@code model_contains}
 * (empty: any model), {@code weight_format} (the label as the rows print it), {@code stored_format} (a label
 * {@link FormatMixes} resolves) and {@code evidence} (where the script says so). A row matches an entry when its
 * engine contains {@code engine_contains}, its model contains {@code model_contains} (both case-insensitive) and its
 * label equals {@code weight_format}; an entry naming a model wins over one that does not. Immutable and thread-safe.
 */
public final class FormatProvenance {
    static final List<String> COLUMNS = List.of("engine_contains", "model_contains", "weight_format", "stored_format", "evidence");

    /** One entry; text fields trimmed, never null. */
    public record Entry(String engineContains, String modelContains, String weightFormat, String storedFormat, String evidence) {}

    /** No entries: every label is read as printed. */
    public static final FormatProvenance NONE = new FormatProvenance(List.of());

    private final List<Entry> entries;

    public FormatProvenance(List<Entry> entries) { this.entries = List.copyOf(entries); }

    /** Reads the entries from {@code uri} (Hadoop FileSystem); bad input names the file and record (exit code 2). */
    public static FormatProvenance load(String uri) { return parse(uri, ConfigFiles.read(uri)); }

    /** Parses CSV text; {@code file} names it in errors. */
    public static FormatProvenance parse(String file, String text) {
        List<Map<String, String>> rows = MeasurementCsv.parse(file, text, COLUMNS);
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Map<String, String> r = rows.get(i);
            Entry e = new Entry(r.get("engine_contains").trim(), r.get("model_contains").trim(), r.get("weight_format").trim(),
                    r.get("stored_format").trim(), r.get("evidence").trim());
            String record = "record " + (i + 2);
            if (e.engineContains().isEmpty()) throw new InvalidInputException(file, record + " engine_contains", "is empty");
            if (e.weightFormat().isEmpty()) throw new InvalidInputException(file, record + " weight_format", "is empty");
            if (e.storedFormat().isEmpty()) throw new InvalidInputException(file, record + " stored_format", "is empty");
            if (e.evidence().isEmpty()) throw new InvalidInputException(file, record + " evidence", "is empty: say where the script states the format");
            out.add(e);
        }
        return new FormatProvenance(out);
    }

    public List<Entry> entries() { return entries; }

    /** The entry for a row, or null when its label is to be read as printed. */
    public Entry find(String engine, String model, String weightFormat) {
        String en = lower(engine), mo = lower(model), wf = weightFormat == null ? "" : weightFormat.trim();
        Entry any = null;
        for (Entry e : entries) {
            if (!en.contains(lower(e.engineContains())) || !e.weightFormat().equalsIgnoreCase(wf)) continue;
            if (e.modelContains().isEmpty()) {
                if (any == null) any = e;
            } else if (mo.contains(lower(e.modelContains()))) {
                return e;
            }
        }
        return any;
    }

    private static String lower(String s) { return s == null ? "" : s.trim().toLowerCase(Locale.ROOT); }
}
