package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.export.GgufExport;
import org.edgefront.nativert.tools.FormatMixes;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real llama-quantize decides each stack of a Phi-3 GGUF (attn_qkv, the gate | up ffn_up) as {@link FormatMixes}
 * decides its parts: a synthetic Phi-3 of whole 256-blocks (16 layers, so the per-layer rules pick patterns; n_gqa 4),
 * written as an F32 phi3 GGUF by EdgeFront's export, run through {@code llama-quantize --dry-run} for every file type.
 */
@Tag("llamacpp")
class Phi3FileTypesOracleTest {
    private static final Pattern DRY_RUN_LINE = Pattern.compile("\\]\\s+(\\S+)\\s+-\\s+\\[[^\\]]*\\], type =\\s*(\\S+), size =[^(\\n]*(?:\\((\\S+)\\))?");

    @TempDir
    Path dir;

    @Test
    void everyFileTypeGivesEachPhi3StackTheTypeItsPartsGet() throws Exception {
        Path tok = TestPaths.shared().resolve("models/tok512.bin");
        Path f32 = dir.resolve("phi3-f32.gguf");
        ModelArchitecture a;
        try (SyntheticLlama w = SyntheticLlama.create(new SyntheticLlama.Shape(256, 256, 16, 8, 2, 512, 64, false), 17, ArchitectureFamily.PHI3)) {
            a = w.architecture();
            Map<String, TensorChoice> choices = new LinkedHashMap<>();
            for (TensorSpec t : a.linearTensors()) choices.put(t.name(), TensorChoice.parse("F32"));
            GgufExport.write("phi3-f32", w, choices, tok.toString(), f32.toString());
        }
        List<String> wrong = new ArrayList<>();
        int compared = 0;
        for (FormatMixes.FileType ft : FormatMixes.FileType.values()) {
            if (ft == FormatMixes.FileType.F32) continue; // the input already is F32
            if (org.edgefront.space.format.NamedFormat.byLabel(ft.defaultType()) == null) continue;
            String log = LlamaCppTools.runOk(dir.resolve("dry-" + ft + ".log"), 300, List.of(LlamaCppTools.bin().resolve("llama-quantize").toString(),
                    "--dry-run", f32.toString(), ft.name(), "1"));
            Map<String, String> decided = new TreeMap<>();
            Matcher x = DRY_RUN_LINE.matcher(log);
            while (x.find()) decided.put(x.group(1), (x.group(3) != null ? x.group(3) : x.group(2)).toLowerCase(Locale.ROOT));
            Map<String, TensorChoice> mine = FormatMixes.fileType(a, ft, false);
            // each part of a stack, and every tensor stored apart, against the type llama.cpp gave the tensor it sits in
            for (TensorSpec t : a.linearTensors()) {
                String stored = switch (t.role()) {
                    case Q, K, V -> "blk." + t.layer() + ".attn_qkv.weight";
                    case GATE, UP -> "blk." + t.layer() + ".ffn_up.weight";
                    default -> t.name();
                };
                String theirs = decided.get(stored);
                String ours = mine.get(t.name()).format().named().ggmlName().toLowerCase(Locale.ROOT);
                if (theirs == null) wrong.add(ft + " " + stored + ": not in llama-quantize's dry run");
                else if (!theirs.equals(ours)) wrong.add(ft + " " + t.name() + " (in " + stored + "): EdgeFront " + ours + ", llama.cpp " + theirs);
                compared++;
            }
        }
        assertEquals(List.of(), wrong);
        assertTrue(compared >= 20 * a.linearTensors().size(), "compared " + compared);
    }
}
