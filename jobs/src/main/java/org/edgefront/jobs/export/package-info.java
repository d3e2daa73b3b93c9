/**
 * Exports of one front point to a runtime's configuration: a llama.cpp {@code --tensor-type-file},
 * a GPTQModel/vLLM {@code dynamic} quantize config, or an EdgeFront choices YAML.
 */
package org.edgefront.jobs.export;
