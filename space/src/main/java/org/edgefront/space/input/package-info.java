/** Input validation: the one exception type for bad user input (exit code 2) and shared checks. */
package org.edgefront.space.input;
