package org.edgefront.jobs.results;

import java.util.Locale;
import org.edgefront.space.metric.Metric;

/** Human formatting of metric values with their units (bytes in binary units, seconds and joules with SI prefixes). Stateless. */
public final class Units {
    private Units() {}

    /** A value with its unit, e.g. {@code 66.9 MiB}, {@code 1.58 mJ/token}, {@code 0.1319 nats/token}. */
    public static String format(Metric m, double v) {
        if (!Double.isFinite(v)) return "\u2013";
        return switch (m.unit()) {
            case "bytes" -> bytes(v);
            case "J/token" -> si(v, "J/token");
            case "s" -> si(v, "s");
            case "W" -> sig(v, 3) + " W";
            case "tokens/s" -> sig(v, 4) + " tok/s";
            case "fraction" -> String.format(Locale.ROOT, "%.1f%%", 100 * v);
            case "bits" -> String.format(Locale.ROOT, "%.2f bits", v);
            case "nats/token" -> sig(v, 4) + " nats/token";
            default -> sig(v, 4);
        };
    }

    /** A table cell: the number with a unit only where the unit changes with magnitude (bytes, joules, seconds). */
    public static String cell(Metric m, double v) {
        if (!Double.isFinite(v)) return "\u2013";
        return switch (m.unit()) {
            case "bytes" -> bytes(v);
            case "J/token" -> si(v, "J");
            case "s" -> si(v, "s");
            case "fraction" -> String.format(Locale.ROOT, "%.1f%%", 100 * v);
            case "bits" -> String.format(Locale.ROOT, "%.2f", v);
            default -> sig(v, 4);
        };
    }

    /** The unit a table column header names (empty when each cell carries its own or there is none). */
    public static String columnUnit(Metric m) {
        return switch (m.unit()) {
            case "bytes", "fraction", "" -> "";
            case "J/token" -> "per token";
            case "s" -> "";
            default -> m.unit();
        };
    }

    /** A short tick label without the unit name where the axis title carries it. */
    public static String tick(Metric m, double v, int digits) {
        return switch (m.unit()) {
            case "bytes" -> bytes(v, digits);
            case "J/token" -> si(v, "J", digits);
            case "s" -> si(v, "s", digits);
            case "fraction" -> sig(100 * v, digits) + "%";
            default -> sig(v, digits);
        };
    }

    /** Bytes in binary units: {@code 512 B}, {@code 285 KiB}, {@code 66.9 MiB}, {@code 7.45 GiB}. */
    public static String bytes(double b) {
        return bytes(b, 3);
    }

    public static String bytes(double b, int digits) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = 0;
        while (Math.abs(v) >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (u == 0 ? String.valueOf(Math.round(v)) : sig(v, digits)) + " " + units[u];
    }

    /** SI-prefixed value: {@code 1.58 mJ}, {@code 512 µs}. */
    public static String si(double v, String unit) {
        return si(v, unit, 3);
    }

    public static String si(double v, String unit, int digits) {
        if (v == 0) return "0 " + unit;
        double a = Math.abs(v);
        String[] prefixes = {"n", "\u00b5", "m", "", "k", "M", "G"};
        int i = 3;
        double s = v;
        while (a < 1 && i > 0) {
            a *= 1000;
            s *= 1000;
            i--;
        }
        while (a >= 1000 && i < prefixes.length - 1) {
            a /= 1000;
            s /= 1000;
            i++;
        }
        return sig(s, digits) + " " + prefixes[i] + unit;
    }

    public static String percent(double share) {
        return sig(100 * share, 3) + "%";
    }

    /** {@code digits} significant digits without exponent for everyday magnitudes, trailing zeros removed. */
    public static String sig(double v, int digits) {
        if (v == 0 || !Double.isFinite(v)) return v == 0 ? "0" : String.valueOf(v);
        double a = Math.abs(v);
        if (a >= 1e7 || a < 1e-4) return String.format(Locale.ROOT, "%." + (digits - 1) + "e", v);
        int intDigits = (int) Math.floor(Math.log10(a)) + 1;
        int decimals = Math.max(0, digits - intDigits);
        String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        if (s.contains(".")) s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s;
    }
}
