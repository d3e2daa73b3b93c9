/**
 * The Pareto archive with constrained dominance ({@link org.edgefront.search.archive.ParetoArchive}) and the
 * dominance relations it and the strategies share ({@link org.edgefront.search.archive.Dominance}).
 */
package org.edgefront.search.archive;
