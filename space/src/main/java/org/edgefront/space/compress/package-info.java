/** Compression options for one tensor: weight formats with exact block sizes, sparsity, low rank. */
package org.edgefront.space.compress;
