/** The picocli command line: one class per subcommand, exit codes 0/1/2, --json output. */
package org.edgefront.jobs.cli;
