package org.edgefront.space.candidate;

import java.util.List;
import java.util.Objects;
import org.edgefront.space.compress.TensorChoice;

/**
 * One dimension of a search space: a group of tensors that take the same choice together (a single
 * tensor, or a tied group such as a layer's q/k/v) and the options they may take, cheapest last or
 * in any declared order. Immutable.
 *
 * @param name    display name (the tensor name for single-tensor decisions)
 * @param tensors canonical tensor names that share this decision (non-empty)
 * @param options allowed choices (non-empty, no duplicates)
 */
public record Decision(String name, List<String> tensors, List<TensorChoice> options) implements java.io.Serializable {
    public Decision {
        Objects.requireNonNull(name, "name");
        tensors = List.copyOf(tensors);
        options = List.copyOf(options);
        if (tensors.isEmpty()) throw new IllegalArgumentException("decision " + name + " has no tensors");
        if (options.isEmpty()) throw new IllegalArgumentException("decision " + name + " has no options");
        if (options.stream().map(TensorChoice::label).distinct().count() != options.size()) {
            throw new IllegalArgumentException("decision " + name + " lists an option twice");
        }
    }
}
