package org.edgefront.space.candidate;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One point of a {@link SearchSpace}: for each decision, the index of the chosen option.
 * Immutable (the gene array is copied in and out), holds no objective values, and has a
 * content-derived {@link #id()}: a candidate made by its space ({@link SearchSpace#candidate(int[])} and friends)
 * carries the content address of the configuration it stands for (per-tensor choice labels and structure plan,
 * see {@link ContentAddress}), so one configuration has one id in every run and every space. Thread-safe.
 */
public final class Candidate implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int[] genes;
    private final long hash;

    /**
     * A candidate outside any search space (an out-of-range candidate, a toy problem): its id hashes the genes only.
     * Candidates of a space come from the space, which gives them their content address.
     */
    public Candidate(int[] genes) {
        this(genes.clone(), geneHash(genes));
    }

    /** Takes ownership of {@code genes}. */
    Candidate(int[] genes, long hash) {
        this.genes = genes;
        this.hash = hash;
    }

    /**
     * A candidate whose id was computed where it was made (its space) and travelled with it, e.g. through Spark's
     * serializer or a checkpoint.
     *
     * @param id the 16-hex-digit {@link #id()}
     * @throws NumberFormatException when {@code id} is not 16 hex digits
     */
    public static Candidate withId(int[] genes, String id) {
        if (id.length() != 16) throw new NumberFormatException("candidate id must be 16 hex digits: " + id);
        return new Candidate(genes.clone(), Long.parseUnsignedLong(id, 16));
    }

    /** Number of decisions. */
    public int size() { return genes.length; }

    /** Chosen option index of decision {@code i}. */
    public int gene(int i) { return genes[i]; }

    /** A copy of the option indices. */
    public int[] genes() { return genes.clone(); }

    /**
     * Stable 16-hex-digit id: the content address given by the candidate's space, or for a candidate outside any
     * space a 64-bit FNV-1a over the gene values.
     */
    public String id() {
        return ContentAddress.hex(hash);
    }

    private static long geneHash(int[] g) {
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
