package org.edgefront.jobs.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.input.InvalidInputException;

/**
 * "Did you mean": the valid names closest to a mistyped device profile or weight format, by edit distance
 * (commons-text), so an error lists what the user can write instead. Stateless.
 */
public final class ClosestNames {
    /** The llama.cpp mixes {@code simulate --format} accepts beside the single formats. */
    public static final List<String> MIXES = List.of("Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M");

    private static final LevenshteinDistance DISTANCE = LevenshteinDistance.getDefaultInstance();

    private ClosestNames() {}

    /** Up to three of {@code names} closest to {@code given} (case-insensitive), nearest first. */
    public static List<String> closest(String given, Collection<String> names) {
        String g = given.toLowerCase(Locale.ROOT);
        return names.stream().sorted(Comparator.comparingInt((String n) -> DISTANCE.apply(g, n.toLowerCase(Locale.ROOT)))
                .thenComparing(Comparator.naturalOrder())).limit(3).toList();
    }

    /** Every weight format and mix name a format option accepts (generic {@code int{b}g{G}} shown by example). */
    public static List<String> formats() {
        List<String> out = new ArrayList<>();
        for (WeightFormat f : WeightFormat.NAMED) out.add(f.name());
        out.addAll(MIXES);
        out.addAll(List.of("int8g32", "int4g32", "int3g32", "int2g32", "int4g128a"));
        return out;
    }

    /** The error text for an unknown format: the closest names, then every valid one. */
    public static String unknownFormat(String given) {
        return "unknown format '" + given + "'; closest: " + String.join(", ", closest(given, formats()))
                + " (valid: " + String.join(", ", formats()) + ", any int{bits}g{group}[a])";
    }

    /**
     * Fails when the device profile {@code uri} does not exist, listing the closest profiles in its directory (or in
     * {@code configs/devices} under the working directory when that directory does not exist either).
     */
    public static void deviceMustExist(String file, String field, String uri) {
        Path p = Path.of(uri.replaceFirst("^file:(//)?", ""));
        if (uri.contains("://") && !uri.startsWith("file:")) return; // a cluster URI: checked when read
        if (Files.isRegularFile(p)) return;
        Path dir = p.getParent() != null && Files.isDirectory(p.getParent()) ? p.getParent() : Path.of("configs", "devices");
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.map(x -> x.getFileName().toString()).filter(n -> n.endsWith(".yaml")).forEach(n -> names.add(n.substring(0, n.length() - 5)));
            } catch (IOException e) {
                // no listing: the error below still names the file
            }
        }
        String stem = p.getFileName() == null ? uri : p.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        String hint = names.isEmpty() ? "" : "; closest profiles in " + dir + ": "
                + String.join(", ", closest(stem, names).stream().map(n -> dir.resolve(n + ".yaml").toString()).toList());
        throw new InvalidInputException(file, field, uri + (Files.isDirectory(p) ? " is a directory, not a device profile" : " does not exist") + hint);
    }
}
