package org.edgefront.jobs.sweep;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import org.edgefront.jobs.spec.SearchSpec;

/**
 * A sweep: one base search spec run for every combination of models x devices x budgets x strategies.
 * Relative paths are resolved against the sweep file. Unknown keys are errors.
 *
 * @param schemaVersion must be 1
 * @param name          sweep name (default output directory {@code runs/<name>})
 * @param base          the search spec every cell starts from (objectives, space, workload, seed, ...)
 * @param models        models (source, tokenizer, text), as in a search spec's {@code model}
 * @param devices       device profiles
 * @param budgets       budget sets, each as a search spec's {@code budgets} ({@code {}} = none)
 * @param strategies    strategy names
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SweepSpec(Integer schemaVersion, String name, String base, List<SearchSpec.Model> models,
                        List<String> devices, List<Map<String, SearchSpec.Bound>> budgets, List<String> strategies) {}
