package org.edgefront.space.model;

import java.util.Locale;

/**
 * How a model stretches its rotary position embedding beyond the context it was trained on: the rule that turns the
 * base frequencies {@code theta^(-2i/d)} into the ones the forward pass uses, and the factor by which cos and sin are
 * scaled. The four rules Hugging Face configs name ({@code rope_scaling} in transformers 4,
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
 * </ul>
 * Immutable and thread-safe.
 *
 * @param type            the rule
 * @param factor          context stretch s (1 for {@link Type#DEFAULT})
 * @param lowFreqFactor   Llama 3: low-frequency factor (else 0)
 * @param highFreqFactor  Llama 3: high-frequency factor (else 0)
 * @param originalContext Llama 3 and YaRN: the context length trained on, in tokens (else 0)
 * @param betaFast        YaRN: rotations bounding the extrapolated dimensions (else 0)
 * @param betaSlow        YaRN: rotations bounding the interpolated dimensions (else 0)
 * @param attentionFactor multiplier of cos and sin (1 except YaRN)
 */
public record RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor, int originalContext,
                          double betaFast, double betaSlow, double attentionFactor) implements java.io.Serializable {

    /** The frequency rules. */
    public enum Type { DEFAULT, LINEAR, LLAMA3, YARN;
        /** The name Hugging Face configs use ({@code rope_type}). */
        public String configName() { return name().toLowerCase(Locale.ROOT); }
    }

    /** No scaling. */
    public static final RopeScaling NONE = new RopeScaling(Type.DEFAULT, 1, 0, 0, 0, 0, 0, 1);

    public RopeScaling {
        java.util.Objects.requireNonNull(type, "type");
        if (!(factor > 0) || !(attentionFactor > 0)) throw new IllegalArgumentException("RoPE factor and attention factor must be positive");
        if (type == Type.LLAMA3 && !(highFreqFactor > lowFreqFactor && lowFreqFactor > 0 && originalContext > 0)) {
            throw new IllegalArgumentException("llama3 RoPE needs high_freq_factor > low_freq_factor > 0 and an original context");
        }
        if (type == Type.YARN && !(betaFast > 0 && betaSlow > 0 && originalContext > 0)) {
            throw new IllegalArgumentException("YaRN needs positive beta_fast, beta_slow and an original context");
        }
    }

    /** Linear position interpolation by {@code factor}. */
    public static RopeScaling linear(double factor) {
        return new RopeScaling(Type.LINEAR, factor, 0, 0, 0, 0, 0, 1);
    }

    /** Llama 3.1-style scaling. */
    public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalContext) {
        return new RopeScaling(Type.LLAMA3, factor, lowFreqFactor, highFreqFactor, originalContext, 0, 0, 1);
    }

    /** YaRN; {@code attentionFactor} null for the paper's default {@code 0.1 ln(factor) + 1} (1 when factor <= 1). */
    public static RopeScaling yarn(double factor, int originalContext, double betaFast, double betaSlow, Double attentionFactor) {
        double af = attentionFactor != null ? attentionFactor : factor <= 1 ? 1.0 : 0.1 * Math.log(factor) + 1.0;
        return new RopeScaling(Type.YARN, factor, 0, 0, originalContext, betaFast, betaSlow, af);
    }

    /**
     * The rotation frequencies (radians per position) of dimension pairs {@code 0 .. rotaryDims/2 - 1}.
     *
     * @param theta      the RoPE base
     * @param rotaryDims rotated dimensions per head (even)
     */
    public double[] inverseFrequencies(double theta, int rotaryDims) {
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
            default -> throw new IllegalStateException(type.toString());
        }
        return f;
    }

    /** YaRN: the dimension whose wavelength fits {@code rotations} times into the original context. */
    private double correctionDim(double rotations, int dims, double theta) {
        return dims * Math.log(originalContext / (rotations * 2 * Math.PI)) / (2 * Math.log(theta));
    }
}
