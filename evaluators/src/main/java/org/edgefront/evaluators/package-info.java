/** The evaluator seam: evaluators measure candidates; factories build them where they run. */
package org.edgefront.evaluators;
