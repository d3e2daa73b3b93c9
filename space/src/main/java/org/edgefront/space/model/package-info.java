/** Model architectures, tensor specifications and the weights interface. */
package org.edgefront.space.model;
