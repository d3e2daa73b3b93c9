/** Quality indicators of a front: {@link org.edgefront.search.metrics.Hypervolume} with an explicit reference point. */
package org.edgefront.search.metrics;
