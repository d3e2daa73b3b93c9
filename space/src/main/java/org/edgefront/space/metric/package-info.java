/** Metrics with units and directions, measurement sets, and evaluation results (status + reason). */
package org.edgefront.space.metric;
