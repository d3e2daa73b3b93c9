package org.edgefront.jobs.profile;

import java.util.ArrayList;
import java.util.List;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;

/** Shared helpers of the profile, fidelity and compare commands. Stateless. */
public final class Profiles {
    /** The default space's options: {@link SearchSpace#DEFAULT_OPTIONS}. */
    public static final List<String> DEFAULT_OPTIONS = SearchSpace.DEFAULT_OPTIONS;

    private Profiles() {}

    /**
     * One decision per linear tensor with the given option labels.
     *
     * @param field command-line field for error messages
     * @throws InvalidInputException naming the field for an unknown or repeated option
     */
    public static SearchSpace space(ModelArchitecture arch, List<String> options, String field) {
        if (options.isEmpty()) throw new InvalidInputException("-", field, "must list at least one option");
        List<TensorChoice> cs = new ArrayList<>();
        for (String o : options) {
            TensorChoice c;
            try {
                c = TensorChoice.parseOption(o);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("-", field, e.getMessage(), e);
            }
            if (cs.contains(c)) throw new InvalidInputException("-", field, "lists " + c.label() + " twice");
            cs.add(c);
        }
        return SearchSpace.perTensor(arch, cs);
    }
}
