package org.edgefront.space.candidate;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One point of a {@link SearchSpace}: for each decision, the index of the chosen option.
 * Immutable (the gene array is copied in and out), holds no objective values, and has a
 * content-derived {@link #id()} so equal candidates share an id across runs and machines.
 * Thread-safe.
 */
public final class Candidate implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int[] genes;
    private final long hash;

    public Candidate(int[] genes) {
        this.genes = genes.clone();
        this.hash = contentHash(this.genes);
    }

    /** Number of decisions. */
    public int size() { return genes.length; }

    /** Chosen option index of decision {@code i}. */
    public int gene(int i) { return genes[i]; }

    /** A copy of the option indices. */
    public int[] genes() { return genes.clone(); }

    /** A copy of this candidate with decision {@code i} set to option {@code option}. */
    public Candidate with(int i, int option) {
        int[] g = genes.clone();
        g[i] = option;
        return new Candidate(g);
    }

    /** Stable 16-hex-digit id derived from the genes only (64-bit FNV-1a over the gene values). */
    public String id() {
        String h = Long.toHexString(hash);
        return "0".repeat(16 - h.length()) + h;
    }

    private static long contentHash(int[] g) {
        long h = 0xcbf29ce484222325L;
        for (int v : g) {
            for (int s = 0; s < 32; s += 8) {
                h ^= (v >>> s) & 0xff;
                h *= 0x100000001b3L;
            }
        }
        h ^= g.length;
        h *= 0x100000001b3L;
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Candidate c && c.hash == hash && Arrays.equals(c.genes, genes);
    }

    @Override
    public int hashCode() { return Long.hashCode(hash); }

    @Override
    public String toString() { return "Candidate" + Arrays.toString(genes); }
}
