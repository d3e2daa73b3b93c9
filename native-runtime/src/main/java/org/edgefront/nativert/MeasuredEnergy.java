package org.edgefront.nativert;

import org.edgefront.nativert.device.*;
import org.edgefront.nativert.calibration.*;
import org.edgefront.nativert.reference.*;
import org.edgefront.nativert.tools.*;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A measurement row's energy per generated token, derived the way the row defines it, and the matching prediction.
 * Rows of {@code energy-measurements.csv} publish energy in four forms:
 * <ol>
 *   <li>{@code energy_j_per_token} given: taken as published ({@link Scope#DECODE} or, with phase whole-query,
 *       {@link Scope#WHOLE_QUERY});</li>
 *   <li>battery drain only ("1% SoC over 5 iterations"): percent x battery watt-hours (device profile) / (iterations x
 *       generated tokens): {@link Scope#WHOLE_QUERY};</li>
 *   <li>average power over a whole llama-bench-style run (note says "whole ... run", phase whole-query) with its prompt
 *       and decode speeds: watts x (prompt / prefill speed + generated / decode speed) / generated:
 *       {@link Scope#WHOLE_QUERY};</li>
 *   <li>a (peak) power during decode with a decode speed: watts / decode speed ({@link Scope#DECODE}, the rows' own
 *       "derived upper bound = W / tok/s").</li>
 * </ol>
 * The prediction of a decode-scope row is the simulator's energy per decoded token (bytes, operations and the SoC's
 * base plus active power over the step's time); of a whole-query row, the prefill's energy plus every decoded token's,
 * per generated token (the weights are resident: these runs repeat the query with the model loaded once).
 * Stateless.
 *
 * @param scope           what the figure covers; null when the row has no usable energy figure
 * @param joulesPerToken  measured J per generated token (NaN when none)
 * @param how             how it was derived, for reports
 */
public record MeasuredEnergy(Scope scope, double joulesPerToken, String how) {
    /** Decode steps only, or the whole query (prefill + decode + base power over the query's time). */
    public enum Scope { DECODE, WHOLE_QUERY }

    private static final Pattern BATTERY = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*% SoC over ([0-9]+) iterations");

    /** No energy figure in the row. */
    public static final MeasuredEnergy NONE = new MeasuredEnergy(null, Double.NaN, "");

    public boolean present() { return scope != null && Double.isFinite(joulesPerToken); }

    /**
     * Derives a row's energy per generated token.
     *
     * @param cells  the row by column name
     * @param device the row's device (battery capacity for battery-drain rows), or null when unknown
     * @param promptTokens    prompt tokens of the query (the workload simulated)
     * @param generatedTokens generated tokens of the query
     */
    public static MeasuredEnergy of(Map<String, String> cells, DeviceProfile device, int promptTokens, int generatedTokens) {
        String phase = cells.getOrDefault("phase", "").trim().toLowerCase(Locale.ROOT);
        boolean whole = phase.equals("whole-query");
        double published = MeasurementCsv.number(cells.get("energy_j_per_token"));
        if (!Double.isNaN(published)) {
            return new MeasuredEnergy(whole ? Scope.WHOLE_QUERY : Scope.DECODE, published, "published");
        }
        String note = cells.getOrDefault("energy_note", "");
        Matcher m = BATTERY.matcher(note);
        if (m.find() && device != null && device.battery().joules() > 0) {
            double pct = Double.parseDouble(m.group(1));
            int iterations = Integer.parseInt(m.group(2));
            double j = pct / 100.0 * device.battery().joules() / ((double) iterations * generatedTokens);
            return new MeasuredEnergy(Scope.WHOLE_QUERY, j, "battery drain " + pct + "% x " + device.battery().joules() / 3600
                    + " Wh / (" + iterations + " x " + generatedTokens + " tokens)");
        }
        double watts = MeasurementCsv.number(cells.get("power_w"));
        double decode = MeasurementCsv.number(cells.get("decode_tok_s"));
        double prefill = MeasurementCsv.number(cells.get("prefill_tok_s"));
        if (Double.isNaN(watts) || Double.isNaN(decode) || decode <= 0) return NONE;
        if (whole && !Double.isNaN(prefill) && prefill > 0) {
            double seconds = promptTokens / prefill + generatedTokens / decode;
            return new MeasuredEnergy(Scope.WHOLE_QUERY, watts * seconds / generatedTokens, "average W x query time / generated tokens");
        }
        return new MeasuredEnergy(Scope.DECODE, watts / decode, "W / decode tok/s");
    }

    /** The simulator's figure for this scope, J per generated token. */
    public double predicted(SimulationResult r, Workload w) {
        if (scope == Scope.WHOLE_QUERY) {
            return (r.prefillEnergyJoules() + r.energyJoulesPerToken() * w.generatedTokens()) / w.generatedTokens();
        }
        return r.energyJoulesPerToken();
    }
}
