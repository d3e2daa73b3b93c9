package org.edgefront.nativert.device;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A set of device profiles and the one place where a device named by a user or a measurement row is found among them:
 * by profile name or alias; else a board variant by name prefix ("Raspberry Pi 5 8GB" is a "Raspberry Pi 5"; with no chip
 * named, a tier word after the prefix but "Plus" is another model: an "iPhone 14 Pro" is not an "iPhone 14") that has the
 * chip the caller names, if it names one; else a device with the same chip ({@link SocNames}: "Xiaomi 13
 * (Snapdragon 8 Gen 2)" runs on the Galaxy S23's silicon); and only then among the profiles it falls back on
 * ({@link #orElse}: those derived from a spec sheet). Immutable and thread-safe.
 */
public final class DeviceDirectory {
    private static final Pattern PARENTHESES = Pattern.compile("\\(([^)]*)\\)");

    /**
     * @param uri     where the profile was read (null for profiles given in memory)
     * @param profile the profile
     * @param origin  empty for a written profile, else how it was made ("profile derived from the spec row of ...");
     *                every match of it carries this in its note
     */
    public record Entry(String uri, DeviceProfile profile, String origin) {
        public Entry {
            origin = origin == null ? "" : origin;
        }

        /** A written profile. */
        public Entry(String uri, DeviceProfile profile) { this(uri, profile, ""); }
    }

    /**
     * @param uri     where the profile was read (null for profiles given in memory)
     * @param profile the profile found
     * @param note    empty when found by name or alias, else how ("simulated on 'X', the same chip")
     */
    public record Match(String uri, DeviceProfile profile, String note) {}

    private final List<Entry> entries;
    /** Searched only when no entry of this one matches; null for none. */
    private final DeviceDirectory fallback;

    public DeviceDirectory(List<Entry> entries) { this(entries, null); }

    private DeviceDirectory(List<Entry> entries, DeviceDirectory fallback) {
        this.entries = List.copyOf(entries);
        this.fallback = fallback;
    }

    /** Profiles given in memory. */
    public static DeviceDirectory of(List<DeviceProfile> profiles) {
        return new DeviceDirectory(profiles.stream().map(p -> new Entry(null, p)).toList());
    }

    /** Every {@code *.yaml} profile of a directory, sorted by file name. */
    public static DeviceDirectory load(String dirUriOrPath) {
        return new DeviceDirectory(ConfigFiles.listYaml(dirUriOrPath).stream().map(u -> new Entry(u, DeviceProfiles.load(u))).toList());
    }

    /**
     * This directory, then {@code more}: a device is looked for among {@code more} (by name, variant, short name, chip)
     * only when no profile of this directory is found for it in any of those ways, so a written profile always wins.
     */
    public DeviceDirectory orElse(List<Entry> more) {
        if (more.isEmpty()) return this;
        DeviceDirectory tail = new DeviceDirectory(more);
        return new DeviceDirectory(entries, fallback == null ? tail : fallback.orElse(more));
    }

    /** The profiles, in order (this directory's, then those it falls back on). */
    public List<DeviceProfile> profiles() {
        List<DeviceProfile> out = new ArrayList<>(entries.stream().map(Entry::profile).toList());
        if (fallback != null) out.addAll(fallback.profiles());
        return out;
    }

    /**
     * The profile for {@code device}, or null. {@code soc} (may be null) names the device's chip: a name-prefix variant
     * must have it, and a device without a profile is matched by it (else by a chip named in the device text).
     */
    public Match find(String device, String soc) {
        Match m = findHere(device, soc);
        return m != null || fallback == null ? m : fallback.find(device, soc);
    }

    private Match findHere(String device, String soc) {
        String dev = device.trim();
        boolean chipNamed = soc != null && !SocNames.keys(soc).isEmpty();
        // a profile's own name or alias wins whatever the chip text says (rows describe chips in words no key reads)
        for (Entry e : entries) if (e.profile().matches(dev)) return match(e, "");
        Entry best = null;
        String d = dev.toLowerCase(Locale.ROOT);
        for (Entry e : entries) {
            DeviceProfile p = e.profile();
            String n = p.name().toLowerCase(Locale.ROOT);
            if (otherChip(chipNamed, soc, p)) continue;
            if (d.length() > n.length() && d.startsWith(n) && " (,".indexOf(d.charAt(n.length())) >= 0
                    && (chipNamed || words(d.substring(n.length())).stream().noneMatch(w -> TIER_WORDS.contains(w) && !w.equals("plus")))
                    && (best == null || n.length() > best.profile().name().length())) {
                best = e;
            }
        }
        if (best != null) return match(best, "");
        Entry shortName = abbreviated(dev, soc, chipNamed);
        if (shortName != null) {
            return match(shortName, "no profile named '" + dev + "': simulated on '" + shortName.profile().name() + "', whose name has every word of it");
        }
        Entry chip = sameChip(dev, soc);
        if (chip == null) return null;
        Match m = match(chip, "no profile named '" + dev + "': simulated on '" + chip.profile().name() + "', the same chip");
        return gpuBin(m, dev);
    }

    private static final Pattern GPU_CORES = Pattern.compile("(?i)(?<![0-9])(\\d{1,3})[- ]core GPU");

    /**
     * A chip sold with fewer or more GPU cores than its profile has (Apple's "M2 Max (30-core GPU)" against the 38-core
     * profile): when the device text and the profile's GPU both state a core count and they differ, the GPU's peaks and
     * active power scale by the ratio (the bins of one chip run the same cores at the same clock) and the profile takes
     * the device's name; bandwidth and CPU stay the profile's (a bin with its own bus, M3 Max 30-core, has its own profile).
     */
    private static Match gpuBin(Match m, String dev) {
        DeviceProfile p = m.profile();
        Matcher want = GPU_CORES.matcher(dev);
        Matcher have = GPU_CORES.matcher(p.gpu().name());
        if (!p.gpu().present() || !want.find() || !have.find()) return m;
        int w = Integer.parseInt(want.group(1)), h = Integer.parseInt(have.group(1));
        if (w == h || w == 0 || h == 0) return m;
        double r = (double) w / h;
        DeviceProfile.Accelerator g = p.gpu();
        DeviceProfile.Accelerator scaled = new DeviceProfile.Accelerator(g.name().replace(have.group(0), w + "-core GPU"),
                g.fp16FlopsPerSecond() * r, g.int8OpsPerSecond() * r, g.picojoulesPerOp(), g.activeWatts() * r);
        java.util.Map<Backend, DeviceProfile.Accelerator> acc = new java.util.EnumMap<>(Backend.class);
        acc.putAll(p.accelerators());
        acc.put(Backend.GPU, scaled);
        DeviceProfile d = new DeviceProfile(p.schemaVersion(), dev, p.soc(), p.dram(), p.cpu(), p.caches(), acc, p.energy(), p.thermal(),
                p.battery(), p.storage(), List.of());
        return new Match(m.uri(), d, m.note() + String.format(Locale.ROOT, ", its GPU peak and power scaled by %d/%d GPU cores", w, h));
    }

    /** Whether the caller named a chip ({@code chipNamed}: {@code soc} has keys) that the profile, whose chip is known, does not have. */
    private static boolean otherChip(boolean chipNamed, String soc, DeviceProfile p) {
        return chipNamed && !SocNames.keys(p.soc()).isEmpty() && !SocNames.sameChip(soc, p.soc());
    }

    private static Match match(Entry e, String how) {
        String note = how.isEmpty() ? e.origin() : e.origin().isEmpty() ? how : how + " (" + e.origin() + ")";
        return new Match(e.uri(), e.profile(), note);
    }

    /**
     * Words that tell models of one line apart and often mean another chip or clocks ("iPhone 15" is not the "15 Pro"),
     * and the generations of a line that keeps its other words ("Jetson Nano" is a Tegra X1, not a "Jetson Orin Nano").
     */
    private static final Set<String> TIER_WORDS = Set.of("pro", "max", "ultra", "plus", "super", "mini", "lite", "fe", "xl", "fold",
            "flip", "neo", "prime", "edge", "air", "nano", "agx", "nx", "orin", "xavier");

    private static List<String> words(String text) {
        return Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")).filter(w -> !w.isEmpty()).toList();
    }

    /**
     * A shortened name ("MacBook Air M2" for "MacBook Air 13-inch (M2, 8-core GPU)", "Jetson Orin Nano Super" for its
     * developer kit): a profile whose name holds every word of the device's, and whose extra words name no other tier of
     * the line (a "Pro", "Max", "Ultra" ... may be another chip). With a chip named, the profile must have it. Among
     * several, the one with the fewest extra words, then the fullest (most GPU peak), then the first by name.
     */
    private Entry abbreviated(String dev, String soc, boolean chipNamed) {
        List<String> want = words(dev);
        if (want.size() < 2) return null; // one word ("Pixel") says too little
        Entry best = null;
        long bestExtra = Long.MAX_VALUE;
        for (Entry e : entries) {
            DeviceProfile p = e.profile();
            if (otherChip(chipNamed, soc, p)) continue;
            if (namesAnotherChip(want, p)) continue;
            for (String name : names(p)) {
                List<String> have = words(name);
                if (!have.containsAll(want)) continue;
                List<String> extra = have.stream().filter(w -> !want.contains(w)).toList();
                if (extra.stream().anyMatch(TIER_WORDS::contains)) continue;
                if (extra.size() < bestExtra || (extra.size() == bestExtra && fullerOrFirst(p, best.profile()))) {
                    best = e;
                    bestExtra = extra.size();
                }
            }
        }
        return best;
    }

    /**
     * Whether the device's words start the profile's chip name but do not go on with it: "MacBook Pro M4" names the M4,
     * not the "M4 Pro" of a "MacBook Pro 14-inch (M4 Pro ...)" profile, though every word of it is in that profile's name
     * ("Pro" is the line's word and the chip's).
     */
    private static boolean namesAnotherChip(List<String> want, DeviceProfile p) {
        for (String key : SocNames.keys(p.soc())) {
            List<String> chip = words(key);
            if (chip.size() < 2) continue;
            int at = want.indexOf(chip.get(0));
            if (at >= 0 && !(at + chip.size() <= want.size() && want.subList(at, at + chip.size()).equals(chip))) return true;
        }
        return false;
    }

    private static List<String> names(DeviceProfile p) {
        List<String> out = new ArrayList<>();
        out.add(p.name());
        out.addAll(p.aliases());
        return out;
    }

    private static boolean fullerOrFirst(DeviceProfile p, DeviceProfile than) {
        double a = p.gpu().fp16FlopsPerSecond(), b = than.gpu().fp16FlopsPerSecond();
        return a != b ? a > b : p.name().compareTo(than.name()) < 0;
    }

    /**
     * Among several with the chip, the one whose name shares the most words with the device, then the one with the most
     * GPU peak, then the first by name.
     */
    private Entry sameChip(String dev, String soc) {
        List<String> chips = new ArrayList<>();
        if (soc != null && !SocNames.keys(soc).isEmpty()) {
            chips.add(soc);
        } else {
            chips.add(dev);
            Matcher in = PARENTHESES.matcher(dev);
            while (in.find()) chips.add(in.group(1));
        }
        Set<String> words = new HashSet<>(List.of(dev.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")));
        Entry best = null;
        long bestScore = -1;
        for (Entry e : entries) {
            DeviceProfile p = e.profile();
            if (chips.stream().noneMatch(c -> SocNames.sameChip(c, p.soc()))) continue;
            long score = Arrays.stream(p.name().toLowerCase(Locale.ROOT).split("[^a-z0-9]+")).filter(words::contains).count();
            // on a tie, the chip's full configuration (the most GPU peak: a row that names no bin is the full chip more
            // often than not), then the first by name
            if (score > bestScore || (score == bestScore && fullerOrFirst(p, best.profile()))) {
                best = e;
                bestScore = score;
            }
        }
        return best;
    }
}
