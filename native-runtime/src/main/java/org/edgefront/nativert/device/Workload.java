package org.edgefront.nativert.device;

import java.util.Objects;
import org.edgefront.space.input.InvalidInputException;

/**
 * What the device is asked to do: prefill a prompt, then decode tokens. Immutable and thread-safe.
 *
 * @param promptTokens    prompt length, tokens (>= 1)
 * @param generatedTokens decoded tokens (>= 1)
 * @param contextTokens   KV-cache capacity, tokens (>= prompt + generated); memory is counted at this context
 * @param kvCacheBits     bits per cached K/V element: 4, 8, 16 or 32
 * @param threads         CPU threads (>= 1; the CPU backend uses the fastest cores first)
 * @param backend         compute unit
 */
public record Workload(int promptTokens, int generatedTokens, int contextTokens, int kvCacheBits, int threads,
                       Backend backend) implements java.io.Serializable {
    public Workload {
        Objects.requireNonNull(backend, "backend");
        if (promptTokens < 1) throw new InvalidInputException("-", "workload.promptTokens", "must be >= 1, got " + promptTokens);
        if (generatedTokens < 1) throw new InvalidInputException("-", "workload.generatedTokens", "must be >= 1, got " + generatedTokens);
        if ((long) promptTokens + generatedTokens > contextTokens) {
            throw new InvalidInputException("-", "workload.contextTokens", contextTokens + " is smaller than prompt " + promptTokens
                    + " + generated " + generatedTokens);
        }
        if (contextTokens > (1 << 24)) throw new InvalidInputException("-", "workload.contextTokens", "must be <= 16777216");
        if (kvCacheBits != 4 && kvCacheBits != 8 && kvCacheBits != 16 && kvCacheBits != 32) {
            throw new InvalidInputException("-", "workload.kvCacheBits", "must be 4, 8, 16 or 32, got " + kvCacheBits);
        }
        if (threads < 1 || threads > 4096) throw new InvalidInputException("-", "workload.threads", "must be in [1, 4096], got " + threads);
    }

    /** A llama-bench-like workload: 512-token prompt, 128 generated, 2048 context, f16 KV cache. */
    public static Workload standard(Backend backend, int threads) {
        return new Workload(512, 128, 2048, 16, threads, backend);
    }
}
