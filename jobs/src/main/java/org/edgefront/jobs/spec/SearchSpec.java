package org.edgefront.jobs.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A search specification as written in YAML ({@code configs/searches/*.yaml}). Every key is typed;
 * unknown keys are errors. Relative paths are resolved against the spec file's directory.
 * {@link SearchSpecLoader} validates it whole before any work starts and resolves it into a
 * {@link ResolvedSearch}.
 *
 * @param schemaVersion must be 1
 * @param name          run name (used for the default output directory)
 * @param model         what model to search over
 * @param device        device profile YAML (path or URI)
 * @param workload      the on-device workload to simulate
 * @param space         per-tensor options
 * @param quality       how quality is measured
 * @param objectives    metric JSON names to optimize (direction is the metric's natural one)
 * @param budgets       hard constraints keyed by metric JSON name
 * @param strategy      search strategy and its seed
 * @param execution     where evaluations run
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SearchSpec(
        Integer schemaVersion,
        String name,
        Model model,
        String device,
        Workload workload,
        Space space,
        Quality quality,
        List<String> objectives,
        Map<String, Bound> budgets,
        Strategy strategy,
        Execution execution) {

    /**
     * @param source    a llama2.c file, a Hugging Face directory, or {@code synthetic:tiny} (optionally
     *                  {@code synthetic:tiny?seed=N}) for a deterministic generated model
     * @param tokenizer llama2.c tokenizer file (needed with text)
     * @param text      evaluation text (paragraphs separated by blank lines)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Model(String source, String tokenizer, String text) {}

    /**
     * @param promptTokens   prompt length for prefill, tokens
     * @param generateTokens tokens generated per query
     * @param contextTokens  context the KV cache is sized for, tokens
     * @param kvCacheBits    bits per KV-cache element (16 = fp16)
     * @param threads        CPU threads the runtime uses
     * @param backend        cpu, gpu or npu
     * @param engine         the runtime whose kernels the simulator costs ({@code llama.cpp} by default; Ollama, MLC,
     *                       ExecuTorch, QNN, MNN, ... as {@code validate-simulator} groups them): picks the fitted
     *                       calibration of that engine on the backend and the device's instruction set or GPU
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Workload(Integer promptTokens, Integer generateTokens, Integer contextTokens, Integer kvCacheBits,
                           Integer threads, String backend, String engine) {}

    /**
     * @param options       choice labels every tensor may take (e.g. Q8_0, Q4_0, int3g32, Q4_0+2:4)
     * @param grouping      {@code tensor} (one decision per tensor, default) or {@code qkv} (a layer's q, k and v share one)
     * @param tensorOptions per-tensor option lists overriding {@code options}; keys are tensor names or globs
     *                      such as {@code token_embd.weight} or {@code blk.*.ffn_down.weight}
     * @param structure     structured pruning searched per layer (absent: the whole structure is kept)
     * @param runtime       the runtime the result is for: {@code any} (default) or {@code llama.cpp} (only what
     *                      llama-quantize stores exactly: llama.cpp block and float formats, dense, full rank, no GPTQ,
     *                      no structure; the default options are narrowed to those, listed ones are checked)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Space(List<String> options, String grouping, Map<String, List<String>> tensorOptions, Structure structure, String runtime) {}

    /**
     * Structural levers, each a list of keep ratios in (0, 1] offered to every layer (1.0, no pruning, is always
     * an option and is added when missing); which units go is chosen by importance on the calibration text.
     *
     * @param heads       per layer, the share of attention KV groups (with their query heads) kept
     * @param ffnChannels per layer, the share of FFN intermediate channels kept (rounded to multiples of 32)
     * @param dropLayers  when true, every layer may be skipped whole
     * @param vocabulary  the share of vocabulary entries kept (embedding and LM-head rows)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Structure(List<Double> heads, List<Double> ffnChannels, Boolean dropLayers, List<Double> vocabulary) {}

    /**
     * @param paragraphs  evaluation paragraphs (real text) taken from the start of the text after {@code offset}
     * @param offset      paragraphs to skip first
     * @param maxTokens   tokens per sequence (cut), including BOS
     * @param sequences   token sequences for synthetic models (no text)
     * @param mode        {@code measured} (default: KL, perplexity, top-1 from a forward pass per candidate),
     *                    {@code proxy} (only {@code proxy_kl} from {@code table}: microseconds per candidate), or
     *                    {@code multi-fidelity} (screen each batch by the table's proxy, measure the promising
     *                    candidates on growing token counts; only final-stage measurements enter the front)
     * @param table       a sensitivity table from {@code edgefront profile} (DIR/sensitivity.json) for this model and
     *                    space: adds the metric {@code proxy_kl} and enables the strategies greedy, dp and nsga2-dp
     * @param stages      multi-fidelity: paragraphs (or synthetic sequences) measured at each stage, ascending;
     *                    default [a quarter, all]
     * @param keep        multi-fidelity: fraction of candidates promoted into each stage; default 0.5 each
     * @param calibrationParagraphs paragraphs right after the evaluation text (so never overlapping it) whose
     *                    activations calibrate Wanda pruning and {@code +gptq} options; default 0, required for +gptq
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Quality(Integer paragraphs, Integer offset, Integer maxTokens, Integer sequences, String mode, String table,
                          List<Integer> stages, List<Double> keep, Integer calibrationParagraphs) {}

    /**
     * One hard constraint; exactly one of the fields is set.
     *
     * @param atMost      upper bound in the metric's unit
     * @param atLeast     lower bound in the metric's unit
     * @param shareOfDram only for memory_bytes: upper bound as a fraction of the device's DRAM
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Bound(Double atMost, Double atLeast, Double shareOfDram) {}

    /**
     * @param name           random or nsga2 (see the search module for all)
     * @param seed           seed of every random choice of the search
     * @param populationSize candidates per generation
     * @param generations    generations (batches) to run
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Strategy(String name, Long seed, Integer populationSize, Integer generations) {}

    /**
     * @param master         Spark master, default {@code local[*]}; {@code sequential} runs without Spark tasks
     * @param partitions     partitions per batch (0 = four tasks per Spark slot)
     * @param maxFailureRate stop with an error when more than this fraction of evaluations failed
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Execution(String master, Integer partitions, Double maxFailureRate) {}
}
