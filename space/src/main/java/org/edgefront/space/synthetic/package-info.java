/**
 * Deterministic generated checkpoints (from a shape and a seed) for runs with no downloaded model and
 * for tests at real shapes, plus synthetic token sequences to measure quality on them. Generated
 * models say {@code synthetic=true} in their architecture so every output can label them.
 */
package org.edgefront.space.synthetic;
