/** Result-file I/O through Hadoop FileSystem, always atomic (temporary file, then rename). */
package org.edgefront.jobs.io;
