package org.edgefront.nativert.device;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keys that identify a system-on-chip (or CPU) in free text, so that a measurement row of a device without a profile
 * can use the profile of another device with the same chip ("Xiaomi 13, Snapdragon 8 Gen 2 (SM8550)" runs on the
 * Galaxy S23's silicon). Two texts name the same chip when their keys intersect. Keys are vendor part numbers
 * ({@code sm8550}, {@code mt6899}, {@code bcm2712}, Google's {@code gs101}; the bin suffix after '-' dropped; Rockchip's S packages as their chip:
 * {@code rk3588s} is {@code rk3588}; every X Elite part {@code X1E-xx-xxx} is {@code x1e}) and the marketing name with
 * vendor words, bins ("for Galaxy"), Apple's optional "Bionic" and parentheses removed ({@code snapdragon 8 gen 2}, {@code apple m1 max} becomes
 * {@code m1 max}). Stateless and thread-safe.
 */
public final class SocNames {
    private static final Pattern PART = Pattern.compile(
            "\\b(sm\\d{4}|mt\\d{4}|bcm\\d{4}|qcs\\d{4}|sc\\d{4}[a-z]*|exynos\\s?\\d{4}|tensor\\s?g\\d|gs\\d{3}|rk\\d{4}s?)\\b");
    private static final Pattern VENDOR = Pattern.compile(
            "\\b(qualcomm|mediatek|apple|broadcom|samsung|google|amd|intel|nvidia|rockchip|unisoc|hisilicon|assumed|for galaxy|bionic|soc|processor)\\b");

    /** Apple's chips by name in a device's text ("Mac mini M4 Pro", "MacBook Air M3"): only beside an Apple product word. */
    private static final Pattern APPLE_CHIP = Pattern.compile("\\b(m[1-9]|a1[0-9])(?:\\s+(pro|max|ultra))?\\b");
    private static final Pattern APPLE_PRODUCT = Pattern.compile("\\b(apple|mac|macbook|imac|ipad|iphone)\\b");

    private SocNames() {}

    /** The keys of a chip description; empty for a blank or unknown text. */
    public static Set<String> keys(String text) {
        Set<String> out = new LinkedHashSet<>();
        if (text == null || text.isBlank()) return out;
        // "Snapdragon 8 Plus Gen 1" and "8 Gen 1+" are the "8+ Gen 1"
        String t = text.toLowerCase(Locale.ROOT).replace('_', ' ').replaceAll("\\b(\\d)\\s*plus\\s+gen", "$1+ gen")
                .replaceAll("\\b(\\d) gen (\\d)\\+", "$1+ gen $2");
        Matcher m = PART.matcher(t);
        // Rockchip's "S" parts are the same silicon in a smaller package (RK3588S: the RK3588's CPU, GPU, NPU and memory
        // controller with fewer I/O lanes), so "rk3588s" and "rk3588" are one key
        while (m.find()) out.add(m.group(1).replaceAll("\\s+", "").replaceAll("^(rk\\d{4})s$", "$1"));
        if (APPLE_PRODUCT.matcher(t).find()) {
            // the chip inside a product name, the longest form ("m4 pro", not "m4"); a model number ("iPhone 15") is no chip
            Matcher a = APPLE_CHIP.matcher(t.replaceAll("\\biphone\\s+\\d+", " "));
            while (a.find()) out.add(a.group(2) == null ? a.group(1) : a.group(1) + " " + a.group(2));
        }
        String name = t.replaceAll("\\(.*?\\)", " ").replaceAll("\\(.*$", " ");
        name = VENDOR.matcher(name).replaceAll(" ").replaceAll("[^a-z0-9+ -]", " ").replaceAll("\\s+", " ").trim();
        // a name of one generic word ("orin", "cortex") would join unrelated boards
        if (name.contains(" ") || name.matches(".*\\d.*")) out.add(name);
        // Qualcomm's X Elite parts (X1E-00-1DE, X1E-78-100, X1E-80-100, X1E-84-100) are one die binned by clock; rows
        // name the part, profiles the marketing name. The X Plus (X1P) parts are other dies and core counts.
        if (name.startsWith("snapdragon x elite") || t.matches("(?s).*\\bx1e-?\\d{2}\\b.*")) out.add("x1e");
        return out;
    }

    /** Whether the two descriptions share a key. */
    public static boolean sameChip(String a, String b) {
        Set<String> ka = keys(a);
        if (ka.isEmpty()) return false;
        for (String k : keys(b)) if (ka.contains(k)) return true;
        return false;
    }
}
