package org.edgefront.jobs.export;

/**
 * The registry's row for {@code --to gguf}: the point's quantized model itself. A GGUF is binary and written from the
 * searched model's weights, so {@link Exporter} writes it directly; this row carries its name and help text so that
 * the one registry still lists every target. Stateless and thread-safe.
 */
final class GgufPointExporter implements PointExporter {
    @Override
    public String description() { return "the mixed-precision GGUF itself, quantized from the searched model"; }

    @Override
    public Output export(Request request) {
        // never reached: Exporter routes GGUF before asking a text exporter
        throw new IllegalStateException("a GGUF is written by Exporter, not as text");
    }
}
