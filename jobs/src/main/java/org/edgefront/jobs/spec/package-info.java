/** Search specifications: YAML schema, validation on the driver, resolution into typed settings. */
package org.edgefront.jobs.spec;
