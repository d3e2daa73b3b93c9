/** Search spaces (decisions over tensors and their options) and candidates (one option per decision). */
package org.edgefront.space.candidate;
