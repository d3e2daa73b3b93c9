/**
 * The pure-Java reference of the simulator's model ({@link org.edgefront.nativert.reference.ReferenceSimulator}) and
 * exact memory ({@link org.edgefront.nativert.reference.MemoryModel}): the formulas of {@code edgefront_sim.h} written
 * once more in plain Java, which tests compare the C library against to 1e-9.
 */
package org.edgefront.nativert.reference;
