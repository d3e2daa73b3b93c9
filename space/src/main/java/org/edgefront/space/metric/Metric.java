package org.edgefront.space.metric;

import java.util.Locale;

/**
 * Every figure an evaluator can measure, with its JSON name, unit and the direction in which it is better.
 * The JSON names are a public contract (design notes, "Contracts").
 */
public enum Metric {
    MEMORY_BYTES("memory_bytes", "bytes", Direction.MINIMIZE),
    WEIGHT_BYTES("weight_bytes", "bytes", Direction.MINIMIZE),
    KV_CACHE_BYTES("kv_cache_bytes", "bytes", Direction.MINIMIZE),
    KL("kl", "nats/token", Direction.MINIMIZE),
    PROXY_KL("proxy_kl", "nats/token", Direction.MINIMIZE),
    PERPLEXITY("perplexity", "", Direction.MINIMIZE),
    TOP1_AGREEMENT("top1_agreement", "fraction", Direction.MAXIMIZE),
    /** Vocabulary pruning: mean reference probability on tokens the pruned model cannot produce. */
    DROPPED_MASS("dropped_mass", "fraction", Direction.MINIMIZE),
    DECODE_TOK_S("decode_tok_s", "tokens/s", Direction.MAXIMIZE),
    PREFILL_TOK_S("prefill_tok_s", "tokens/s", Direction.MAXIMIZE),
    TTFT_S("ttft_s", "s", Direction.MINIMIZE),
    ENERGY_J_PER_TOKEN("energy_j_per_token", "J/token", Direction.MINIMIZE),
    POWER_W("power_w", "W", Direction.MINIMIZE),
    BITS_PER_WEIGHT("bits_per_weight", "bits", Direction.MINIMIZE),
    /** Multi-fidelity: 0 = judged by the additive proxy only, k = measured at stage k (more tokens each stage). */
    FIDELITY_STAGE("fidelity_stage", "stage", Direction.MAXIMIZE);

    /** Whether smaller or larger values are better. */
    public enum Direction { MINIMIZE, MAXIMIZE }

    private final String jsonName;
    private final String unit;
    private final Direction better;

    Metric(String jsonName, String unit, Direction better) {
        this.jsonName = jsonName;
        this.unit = unit;
        this.better = better;
    }

    /** The snake_case name used in JSON, YAML and Parquet. */
    public String jsonName() { return jsonName; }

    /** Unit of the value ("" when dimensionless). */
    public String unit() { return unit; }

    /** The direction in which this metric improves. */
    public Direction better() { return better; }

    /**
     * Looks a metric up by its JSON name (or enum name, case-insensitive).
     *
     * @throws IllegalArgumentException listing the known names
     */
    public static Metric fromJsonName(String name) {
        for (Metric m : values()) {
            if (m.jsonName.equals(name) || m.name().equalsIgnoreCase(name)) return m;
        }
        StringBuilder known = new StringBuilder();
        for (Metric m : values()) known.append(known.length() == 0 ? "" : ", ").append(m.jsonName);
        throw new IllegalArgumentException("unknown metric '" + name + "' (known: " + known + ")");
    }

    @Override
    public String toString() { return jsonName.toLowerCase(Locale.ROOT); }
}
