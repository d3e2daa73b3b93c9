package org.edgefront.jobs.cli;

import java.util.List;
import java.util.function.UnaryOperator;
import org.edgefront.jobs.spec.SearchSpec;
import org.edgefront.jobs.spec.SearchSpecLoader;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import picocli.CommandLine.Option;

/**
 * The structural levers of the profile and fidelity commands, as a picocli mixin: the same levers and ratio rules
 * as a search spec's {@code space.structure}, so a table profiled with them fits a spec that sets the same.
 */
final class StructureOptions {
    @Option(names = "--heads", split = ",", description = "Structure: keep ratios of attention KV groups per layer (adds structural rows).")
    List<Double> heads;

    @Option(names = "--ffn-channels", split = ",", description = "Structure: keep ratios of FFN channels per layer.")
    List<Double> ffnChannels;

    @Option(names = "--drop-layers", description = "Structure: every layer may be skipped.")
    boolean dropLayers;

    @Option(names = "--vocabulary", split = ",", description = "Structure: keep ratios of the vocabulary.")
    List<Double> vocabulary;

    /**
     * {@code space} with the levers set here as its structural decisions (unchanged when none is set).
     *
     * @throws InvalidInputException naming the flag for a bad ratio, or {@code --calibration-paragraphs} when structure is
     *                               set without calibration text (it ranks the heads, channels and tokens to prune)
     */
    SearchSpace apply(SearchSpace space, ModelArchitecture arch, MeasurementOptions in) {
        if (heads == null && ffnChannels == null && !dropLayers && vocabulary == null) return space;
        UnaryOperator<String> flag = k -> switch (k) {
            case "heads" -> "--heads";
            case "ffnChannels" -> "--ffn-channels";
            case "vocabulary" -> "--vocabulary";
            default -> "--heads/--ffn-channels/--drop-layers/--vocabulary";
        };
        if (in.calibrationParagraphs(0) == 0) {
            throw new InvalidInputException("-", "--calibration-paragraphs", "structure needs calibration text to rank heads, channels and tokens");
        }
        return space.withStructure(SearchSpecLoader.structure("-", flag, arch, new SearchSpec.Structure(heads, ffnChannels, dropLayers, vocabulary)));
    }
}
