package org.edgefront.nativert.tools;

import org.edgefront.nativert.device.*;
import org.edgefront.nativert.calibration.*;
import org.edgefront.nativert.reference.*;
import org.edgefront.nativert.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgefront.space.input.InvalidInputException;

/**
 * A small RFC 4180 CSV reader for measurement files (quoted fields with commas, doubled quotes and line
 * breaks). Rows are maps from header name to text. Stateless.
 */
public final class MeasurementCsv {
    private static final Pattern LEADING_NUMBER = Pattern.compile("^\\s*[~≈]?\\s*([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)");

    private MeasurementCsv() {}

    static List<Map<String, String>> parse(String file, String text, List<String> requiredColumns) {
        // a spreadsheet's UTF-8 export starts with a byte-order mark, which is not part of the first column's name
        List<List<String>> records = records(file, text.startsWith("\uFEFF") ? text.substring(1) : text);
        if (records.isEmpty()) throw new InvalidInputException(file, "line 1", "no header");
        List<String> header = records.get(0);
        for (String c : requiredColumns) {
            if (!header.contains(c)) throw new InvalidInputException(file, "header", "missing column '" + c + "'");
        }
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 1; i < records.size(); i++) {
            List<String> r = records.get(i);
            if (r.size() == 1 && r.get(0).isBlank()) continue;
            if (r.size() != header.size()) {
                throw new InvalidInputException(file, "record " + (i + 1), "has " + r.size() + " fields, header has " + header.size());
            }
            Map<String, String> m = new HashMap<>();
            for (int c = 0; c < header.size(); c++) m.put(header.get(c), r.get(c));
            out.add(m);
        }
        return out;
    }

    private static List<List<String>> records(String file, String s) {
        List<List<String>> out = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        int line = 1;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        f.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (ch == '\n') line++;
                    f.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                row.add(f.toString());
                f.setLength(0);
            } else if (ch == '\n' || ch == '\r') {
                if (ch == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') i++;
                row.add(f.toString());
                f.setLength(0);
                out.add(row);
                row = new ArrayList<>();
                line++;
            } else {
                f.append(ch);
            }
        }
        if (quoted) throw new InvalidInputException(file, "line " + line, "unterminated quoted field");
        if (f.length() > 0 || !row.isEmpty()) {
            row.add(f.toString());
            out.add(row);
        }
        return out;
    }

    /**
     * The leading number of a cell ("194 (derived: ...)" gives 194, an approximate "~0.07" gives 0.07), or NaN when
     * blank or not a number.
     */
    public static double number(String cell) {
        if (cell == null) return Double.NaN;
        Matcher m = LEADING_NUMBER.matcher(cell);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
