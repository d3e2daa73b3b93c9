package org.edgefront.space.candidate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.edgefront.space.compress.StructurePlan;

/**
 * The content address of a configuration, the id of a {@link Candidate} of a {@link SearchSpace}: a 64-bit hash of
 * what the configuration stores, namely each linear tensor's name and choice label in architecture order, then the
 * structure plan's per-layer kept KV groups, kept channels, dropped layers and kept vocabulary. Nothing of the space
 * (its decisions, their grouping or option order) enters, so one configuration has one id in every run and every
 * space. Each (tensor, label) pair is hashed once with SHA-256 (first 8 bytes) when a space is built; a candidate's
 * id then costs one multiply-and-mix per tensor. Stateless and thread-safe.
 */
final class ContentAddress {
    private ContentAddress() {}

    /** The start of every fold. */
    static final long SEED = 0x6a09e667f3bcc908L;

    /** The hash of one tensor's stored choice: SHA-256 of {@code name=label}, first 8 bytes big-endian. */
    static long tensor(String tensorName, String choiceLabel) {
        byte[] d;
        try {
            d = MessageDigest.getInstance("SHA-256").digest((tensorName + '=' + choiceLabel).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        long h = 0;
        for (int i = 0; i < 8; i++) h = (h << 8) | (d[i] & 0xff);
        return h;
    }

    /** {@code h} with {@code v} appended (order matters). */
    static long fold(long h, long v) {
        return mix(h * 0x9e3779b97f4a7c15L + v);
    }

    /** {@code h} with a structure plan appended. */
    static long plan(long h, StructurePlan p) {
        int[] groups = p.keptKvGroups();
        int[] channels = p.keptChannels();
        boolean[] dropped = p.droppedLayer();
        h = fold(h, groups.length);
        for (int l = 0; l < groups.length; l++) {
            h = fold(h, groups[l]);
            h = fold(h, channels[l]);
            h = fold(h, dropped[l] ? 1 : 0);
        }
        return fold(h, p.keptVocab());
    }

    /** The 16-hex-digit form of a hash. */
    static String hex(long h) {
        String s = Long.toHexString(h);
        return "0".repeat(16 - s.length()) + s;
    }

    /** Stafford's variant 13 of the MurmurHash3 finalizer: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
