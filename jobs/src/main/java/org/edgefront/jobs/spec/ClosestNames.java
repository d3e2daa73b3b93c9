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
import org.edgefront.nativert.device.DeviceDirectory;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.tools.FormatMixes;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.input.InvalidInputException;

/**
 * "Did you mean": the valid names closest to a mistyped device profile or weight format, by edit distance
 * (commons-text), so an error lists what the user can write instead. Stateless.
 */
public final class ClosestNames {
    private static final LevenshteinDistance DISTANCE = LevenshteinDistance.getDefaultInstance();

    private ClosestNames() {}

    /** Up to three of {@code names} closest to {@code given} (case-insensitive), nearest first. */
    public static List<String> closest(String given, Collection<String> names) {
        String g = given.toLowerCase(Locale.ROOT);
        return names.stream().sorted(Comparator.comparingInt((String n) -> DISTANCE.apply(g, n.toLowerCase(Locale.ROOT)))
                .thenComparing(Comparator.naturalOrder())).limit(3).toList();
    }

    /** Every single weight format a format option accepts (generic {@code int{b}g{G}} shown by example). */
    public static List<String> formats() {
        List<String> out = new ArrayList<>();
        for (WeightFormat f : WeightFormat.NAMED) out.add(f.name());
        out.addAll(List.of("int8g32", "int4g32", "int3g32", "int2g32", "int4g128a"));
        return out;
    }

    /**
     * The error text for an unknown {@code simulate --format}: the closest names, then the llama.cpp file types and
     * the single formats, each listed once (a name that is both means the file type; {@code uniform:NAME} the format).
     */
    public static String unknownFormat(String given) {
        java.util.Set<String> all = new java.util.LinkedHashSet<>(FormatMixes.fileTypeNames());
        all.addAll(formats());
        return "unknown format '" + given + "'; closest: " + String.join(", ", closest(given, all))
                + " (llama.cpp file types: " + String.join(", ", FormatMixes.fileTypeNames()) + "; formats, one for every tensor as "
                + FormatMixes.UNIFORM_PREFIX + "NAME where a file type has the same name: " + String.join(", ", formats())
                + ", any int{bits}g{group}[a])";
    }

    /**
     * A device as a user writes it: a profile's path or URI, or a device name ({@code "Samsung Galaxy S23"}, an alias,
     * a board variant, or a device without a profile whose chip one has: {@code "Xiaomi 13 (Snapdragon 8 Gen 2)"}),
     * found among the repository's {@code configs/devices} by {@link DeviceDirectory#find}.
     *
     * @param uri  the profile to read
     * @param note empty when given as a path or found by name or alias, else how the profile was chosen
     */
    public record ResolvedDevice(String uri, String note) {}

    /** Whether a device as written is a profile's path or URI rather than a device name. */
    public static boolean looksLikePath(String given) {
        return given.contains("/") || given.contains("\\") || given.matches("(?i).*\\.ya?ml$") || given.contains("://");
    }

    /**
     * Resolves {@code given} ({@code field} of {@code file}); a path that does not exist, or a name no profile answers
     * to, is bad input listing the closest profiles.
     */
    public static ResolvedDevice resolveDevice(String file, String field, String given) {
        if (looksLikePath(given)) {
            deviceMustExist(file, field, given);
            return new ResolvedDevice(given, "");
        }
        if (Files.isRegularFile(Path.of(given))) return new ResolvedDevice(given, "");
        Path dir = RepoPaths.config("devices");
        DeviceDirectory profiles = DeviceDirectory.load(dir.toString());
        DeviceDirectory.Match m = profiles.find(given, null);
        if (m != null) return new ResolvedDevice(m.uri(), m.note());
        List<String> names = profiles.profiles().stream().map(DeviceProfile::name).toList();
        Path sheet = RepoPaths.deviceSpecSheet();
        if (sheet != null) {
            DeviceDirectory.Match row = org.edgefront.nativert.tools.DeviceSpecSheet.load(sheet.toString()).find(given);
            if (row != null) {
                throw new InvalidInputException(file, field, "no device profile named '" + given + "', but " + sheet + " has a spec row for '"
                        + row.profile().name() + "': write its profile with edgefront simulate --model MODEL --device '" + given
                        + "' --write-profile FILE.yaml, check its figures, and name FILE.yaml here");
            }
        }
        throw new InvalidInputException(file, field, "no device profile named '" + given + "' or with a chip it names; closest: "
                + String.join(", ", closest(given, names).stream().map(n -> "'" + n + "'").toList()) + " (or a profile's path, in " + dir + ")");
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
