package org.edgefront.search.archive;

/** What {@link ParetoArchive#add} did with a result. */
public enum AddResult {
    /** The result is now in the archive (members it dominates were removed). */
    ADDED,
    /** A member dominates it under constrained dominance; the archive is unchanged. */
    DOMINATED,
    /**
     * The archive already holds the same candidate id, or a member with an identical objective vector and
     * violation whose candidate id sorts first; the archive is unchanged.
     */
    DUPLICATE,
    /** The evaluation failed; failed results never enter the archive. */
    FAILED
}
