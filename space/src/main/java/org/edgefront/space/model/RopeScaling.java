package org.edgefront.space.model;

import java.util.List;
import java.util.Locale;

/**
 * How a model stretches its rotary position embedding beyond the context it was trained on: the rule that turns the
 * base frequencies {@code theta^(-2i/d)} into the ones the forward pass uses, and the factor by which cos and sin are
 * scaled. The five rules Hugging Face configs name ({@code rope_scaling} in transformers 4,
 * {@code rope_parameters} in 5), from their published definitions:
 * <ul>
 *   <li>{@link Type#DEFAULT}: the base frequencies.</li>
 *   <li>{@link Type#LINEAR} (position interpolation, Chen et al. 2023): every frequency divided by {@code factor}.</li>
 *   <li>{@link Type#LLAMA3} (Meta's Llama 3.1 reference code): wavelengths above {@code originalContext / lowFreqFactor}
 *       divided by {@code factor}, below {@code originalContext / highFreqFactor} kept, and in between a linear blend
 *       with weight {@code (originalContext / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor)}.</li>
 *   <li>{@link Type#YARN} (Peng et al. 2023, "YaRN"): dimensions below the one that turns {@code betaFast} times over
 *       {@code originalContext} positions keep their frequency, those above the one turning {@code betaSlow} times
 *       are divided by {@code factor}, with a linear ramp between (bounds floored/ceiled, as the reference code does);
 *       cos and sin are scaled by {@code attentionFactor} (default {@code 0.1 ln(factor) + 1}).</li>
 *   <li>{@link Type#LONGROPE} (Ding et al. 2024, "LongRoPE"; Phi-3-*-128k, Phi-3.5, Phi-4-mini; {@code su} in early
 *       configs): frequency i divided by {@code longFactors[i]} or {@code shortFactors[i]}, one set for a whole sequence
 *       ({@link #usesLongFactors}); cos and sin scaled by {@code attentionFactor} in both cases (default
 *       {@code sqrt(1 + ln(factor) / ln(originalContext))}).</li>
 * </ul>
 * Immutable and thread-safe.
 *
 * @param type            the rule
 * @param factor          context stretch s (1 for {@link Type#DEFAULT})
 * @param lowFreqFactor   Llama 3: low-frequency factor (else 0)
 * @param highFreqFactor  Llama 3: high-frequency factor (else 0)
 * @param originalContext Llama 3, YaRN and LongRoPE: the context length trained on, in tokens (else 0)
 * @param betaFast        YaRN: rotations bounding the extrapolated dimensions (else 0)
 * @param betaSlow        YaRN: rotations bounding the interpolated dimensions (else 0)
 * @param attentionFactor multiplier of cos and sin (1 except YaRN and LongRoPE)
 * @param longFactors     LongRoPE: divisor of each frequency pair's frequency beyond the original context, rotary dims / 2
 *                        positive values (else empty)
 * @param shortFactors    LongRoPE: the divisors within the original context, as many (else empty)
 */
public record RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor, int originalContext,
                          double betaFast, double betaSlow, double attentionFactor, List<Double> longFactors,
                          List<Double> shortFactors) implements java.io.Serializable {

    /** The frequency rules. */
    public enum Type { DEFAULT, LINEAR, LLAMA3, YARN, LONGROPE;
        /** The name Hugging Face configs use ({@code rope_type}). */
        public String configName() { return name().toLowerCase(Locale.ROOT); }
    }

    /**
     * llama.cpp sizes a context per sequence in whole multiples of this many tokens ({@code llama_context} pads
     * {@code n_ctx_seq} up to 256), which is what its LongRoPE rule compares ({@link #usesLongFactors}).
     */
    public static final int LLAMA_CPP_CONTEXT_QUANTUM_TOKENS = 256;

    /** No scaling. */
    public static final RopeScaling NONE = new RopeScaling(Type.DEFAULT, 1, 0, 0, 0, 0, 0, 1, List.of(), List.of());

    public RopeScaling {
        java.util.Objects.requireNonNull(type, "type");
        longFactors = List.copyOf(longFactors);
        shortFactors = List.copyOf(shortFactors);
        if (!(factor > 0) || !(attentionFactor > 0)) throw new IllegalArgumentException("RoPE factor and attention factor must be positive");
        if (type == Type.LLAMA3 && !(highFreqFactor > lowFreqFactor && lowFreqFactor > 0 && originalContext > 0)) {
            throw new IllegalArgumentException("llama3 RoPE needs high_freq_factor > low_freq_factor > 0 and an original context");
        }
        if (type == Type.YARN && !(betaFast > 0 && betaSlow > 0 && originalContext > 0)) {
            throw new IllegalArgumentException("YaRN needs positive beta_fast, beta_slow and an original context");
        }
        if (type == Type.LONGROPE) {
            if (originalContext <= 0) throw new IllegalArgumentException("LongRoPE needs an original context");
            if (longFactors.isEmpty() || longFactors.size() != shortFactors.size()) {
                throw new IllegalArgumentException("LongRoPE needs as many long factors as short ones (" + longFactors.size() + " vs "
                        + shortFactors.size() + ")");
            }
            for (List<Double> fs : List.of(longFactors, shortFactors)) {
                for (double v : fs) {
                    if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException("LongRoPE factor " + v + " is not positive and finite");
                }
            }
        } else if (!longFactors.isEmpty() || !shortFactors.isEmpty()) {
            throw new IllegalArgumentException("per-frequency factors belong to LongRoPE, not " + type.configName());
        }
    }

    /** Linear position interpolation by {@code factor}. */
    public static RopeScaling linear(double factor) {
        return new RopeScaling(Type.LINEAR, factor, 0, 0, 0, 0, 0, 1, List.of(), List.of());
    }

    /** Llama 3.1-style scaling. */
    public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalContext) {
        return new RopeScaling(Type.LLAMA3, factor, lowFreqFactor, highFreqFactor, originalContext, 0, 0, 1, List.of(), List.of());
    }

    /** YaRN; {@code attentionFactor} null for the paper's default {@code 0.1 ln(factor) + 1} (1 when factor <= 1). */
    public static RopeScaling yarn(double factor, int originalContext, double betaFast, double betaSlow, Double attentionFactor) {
        double af = attentionFactor != null ? attentionFactor : factor <= 1 ? 1.0 : 0.1 * Math.log(factor) + 1.0;
        return new RopeScaling(Type.YARN, factor, 0, 0, originalContext, betaFast, betaSlow, af, List.of(), List.of());
    }

    /**
     * LongRoPE; {@code attentionFactor} null for the published default {@code sqrt(1 + ln(factor) / ln(originalContext))}
     * (1 when factor <= 1).
     *
     * @param factor          context stretch: the context served over the one trained on (Phi-3: max_position_embeddings /
     *                        original_max_position_embeddings); only the default attention factor depends on it
     * @param originalContext the context trained on, in tokens
     */
    public static RopeScaling longRope(List<Double> longFactors, List<Double> shortFactors, double factor, int originalContext,
                                       Double attentionFactor) {
        double af = attentionFactor != null ? attentionFactor
                : factor <= 1 ? 1.0 : Math.sqrt(1 + Math.log(factor) / Math.log(originalContext));
        return new RopeScaling(Type.LONGROPE, factor, 0, 0, originalContext, 0, 0, af, longFactors, shortFactors);
    }

    /**
     * One divisor per frequency pair, the same at every context: how llama.cpp holds the llama3 rule in a GGUF
     * ({@code rope_freqs.weight}, computed by its converter from the Hugging Face parameters). Held as LongRoPE with equal
     * long and short factors and no cos/sin factor, which computes exactly that.
     */
    public static RopeScaling frequencyFactors(List<Double> factors, int originalContext) {
        return longRope(factors, factors, 1.0, Math.max(1, originalContext), 1.0);
    }

    /**
     * Whether this rule is one divisor per frequency pair at every context with no cos/sin factor ({@link #frequencyFactors},
     * or {@link Type#LLAMA3}, which {@link #frequencyDivisors} turns into one), which a GGUF holds as {@code rope_freqs.weight}.
     */
    public boolean perFrequencyDivisors() {
        return type == Type.LLAMA3 || type == Type.LONGROPE && longFactors.equals(shortFactors) && attentionFactor == 1.0;
    }

    /**
     * The divisor of each frequency pair's base frequency, for a rule where {@link #perFrequencyDivisors()}: the base
     * frequency over the scaled one (llama.cpp's converter computes Llama 3's the same way, as {@code rope_factors}).
     *
     * @throws IllegalStateException for a rule that is not one divisor per pair at every context
     */
    public List<Double> frequencyDivisors(double theta, int rotaryDims) {
        if (!perFrequencyDivisors()) throw new IllegalStateException("RoPE rule " + type + " is not one divisor per frequency pair");
        if (type == Type.LONGROPE) return longFactors;
        double[] base = NONE.inverseFrequencies(theta, rotaryDims, 0);
        double[] scaled = inverseFrequencies(theta, rotaryDims, 0);
        List<Double> out = new java.util.ArrayList<>(scaled.length);
        for (int i = 0; i < scaled.length; i++) out.add(base[i] / scaled[i]);
        return List.copyOf(out);
    }

    /**
     * LongRoPE: whether a sequence of {@code sequenceTokens} runs on the long factors (false for every other rule). The
     * rule is llama.cpp's ({@code llama_model::get_rope_factors}), decided once for a context and not per token: long
     * when the context per sequence, which llama.cpp rounds up to a multiple of {@link #LLAMA_CPP_CONTEXT_QUANTUM_TOKENS}
     * ({@code n_ctx_seq}), exceeds the original context ({@code n_ctx_orig_yarn}); then every position, the first ones
     * included, uses the long factors. EdgeFront runs each sequence as a context of its own length, as
     * {@code llama-perplexity -c n} runs its n-token chunks. transformers compares the unrounded length instead, which
     * agrees whenever the original context is a multiple of 256 (4096 in Phi-3-*-128k, Phi-3.5 and Phi-4-mini).
     */
    public boolean usesLongFactors(int sequenceTokens) {
        if (type != Type.LONGROPE) return false;
        long q = LLAMA_CPP_CONTEXT_QUANTUM_TOKENS;
        long contextTokens = (sequenceTokens + q - 1) / q * q;
        return contextTokens > originalContext;
    }

    /**
     * The rotation frequencies (radians per position) of dimension pairs {@code 0 .. rotaryDims/2 - 1}.
     *
     * @param theta          the RoPE base
     * @param rotaryDims     rotated dimensions per head (even; LongRoPE: twice its number of factors)
     * @param sequenceTokens length of the sequence rotated, in tokens: picks LongRoPE's factors ({@link #usesLongFactors});
     *                       the other rules ignore it
     */
    public double[] inverseFrequencies(double theta, int rotaryDims, int sequenceTokens) {
        int half = rotaryDims / 2;
        double[] f = new double[half];
        for (int i = 0; i < half; i++) f[i] = 1.0 / Math.pow(theta, (2.0 * i) / rotaryDims);
        switch (type) {
            case DEFAULT -> { }
            case LINEAR -> { for (int i = 0; i < half; i++) f[i] /= factor; }
            case LLAMA3 -> {
                double lowWavelen = originalContext / lowFreqFactor;
                double highWavelen = originalContext / highFreqFactor;
                for (int i = 0; i < half; i++) {
                    double wavelen = 2 * Math.PI / f[i];
                    if (wavelen > lowWavelen) {
                        f[i] /= factor;
                    } else if (wavelen >= highWavelen) {
                        double smooth = (originalContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                        f[i] = (1 - smooth) * f[i] / factor + smooth * f[i];
                    }
                }
            }
            case YARN -> {
                double low = Math.max(Math.floor(correctionDim(betaFast, rotaryDims, theta)), 0);
                double high = Math.min(Math.ceil(correctionDim(betaSlow, rotaryDims, theta)), rotaryDims - 1);
                if (low == high) high += 0.001; // the reference code's guard against a zero-width ramp
                for (int i = 0; i < half; i++) {
                    double ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
                    double extrapolation = 1 - ramp;
                    f[i] = f[i] / factor * (1 - extrapolation) + f[i] * extrapolation;
                }
            }
            case LONGROPE -> {
                List<Double> divisors = usesLongFactors(sequenceTokens) ? longFactors : shortFactors;
                if (divisors.size() != half) {
                    throw new IllegalArgumentException(divisors.size() + " LongRoPE factors for " + half + " frequency pairs");
                }
                for (int i = 0; i < half; i++) f[i] /= divisors.get(i);
            }
            default -> throw new IllegalStateException(type.toString());
        }
        return f;
    }

    /** YaRN: the dimension whose wavelength fits {@code rotations} times into the original context. */
    private double correctionDim(double rotations, int dims, double theta) {
        return dims * Math.log(originalContext / (rotations * 2 * Math.PI)) / (2 * Math.log(theta));
    }
}
