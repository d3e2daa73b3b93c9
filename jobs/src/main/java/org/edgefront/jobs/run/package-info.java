/** The search driver: ask/evaluate/tell loop, batch evaluators (sequential and Spark), checkpoints and outputs. */
package org.edgefront.jobs.run;
