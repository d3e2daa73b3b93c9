package org.edgefront.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgefront.jobs.CliRun;
import org.edgefront.jobs.TestPaths;
import org.edgefront.nativert.device.ModelDescriptors;
import org.edgefront.nativert.reference.MemoryModel;
import org.edgefront.nativert.tools.FormatMixes;
import org.edgefront.space.model.ModelArchitecture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code simulate --format} takes llama.cpp's file types and the lattice i-quant and ternary formats; options of a
 * search, comparison or profile refuse the formats EdgeFront cannot quantize, with exit 2 and a message that says so.
 */
@Tag("native")
class FileTypesCliTest {
    private static final String MODEL = TestPaths.root().resolve("configs/models/llama-3.2-1b.yaml").toString();
    private static final String S23 = TestPaths.device("samsung-galaxy-s23").toString();

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    @Test
    void simulateTakesFileTypesAndIQuantsWithTheWeightBytesOfLlamaCppsPerTensorTypes() throws Exception {
        ModelArchitecture a = ModelDescriptors.load(MODEL).architecture();
        Map<String, Long> bytes = new LinkedHashMap<>();
        for (String f : List.of("IQ1_M", "IQ2_XXS", "IQ2_M", "IQ3_S", "TQ1_0", "Q3_K_S", "Q5_K_S", "uniform:IQ2_S")) {
            CliRun r = CliRun.of("simulate", "--model", MODEL, "--device", S23, "--format", f, "--json");
            assertEquals(0, r.code(), f + ": " + r.err());
            JsonNode n = new ObjectMapper().readTree(r.out());
            assertTrue(n.get("decode_tok_s").asDouble() > 0, f);
            long w = n.get("memory").get("weight_bytes").asLong();
            assertEquals(MemoryModel.weightBytes(a, FormatMixes.resolve(a, f)), w, f + ": memory holds each tensor's exact bytes");
            bytes.put(f, w);
        }
        assertTrue(bytes.get("IQ1_M") < bytes.get("IQ2_XXS") && bytes.get("IQ2_XXS") < bytes.get("IQ2_M") && bytes.get("IQ2_M") < bytes.get("IQ3_S"),
                "fewer bits, fewer bytes: " + bytes);
    }

    @Test
    void anUnknownFormatListsFileTypesAndFormatsEachOnce() {
        CliRun r = CliRun.of("simulate", "--model", MODEL, "--device", S23, "--format", "IQ2_XSS");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("closest: IQ2_XS"), r.err());
        String types = r.err().replaceAll("(?s).*llama\\.cpp file types: ([^;]*);.*", "$1");
        String formats = r.err().replaceAll("(?s).*where a file type has the same name: (.*), any int.*", "$1");
        for (String list : List.of(types, formats)) {
            List<String> names = List.of(list.split(", "));
            assertEquals(names.size(), new HashSet<>(names).size(), "no name twice in " + list);
        }
        assertTrue(List.of(types.split(", ")).containsAll(List.of("Q2_K", "Q3_K_S", "Q4_K_M", "IQ2_M", "TQ1_0")), types);
        assertTrue(List.of(formats.split(", ")).containsAll(List.of("Q2_K", "Q4_K", "IQ2_XXS", "TQ2_0")), formats);
    }

    @Test
    void formatsWithoutAQuantizerAreNoSearchOptions() {
        CliRun profile = CliRun.of("profile", "--model", "synthetic:tiny", "--paragraphs", "2", "--max-tokens", "16", "--options", "Q8_0,IQ2_XXS",
                "--out", dir.resolve("p").toString());
        assertEquals(2, profile.code(), profile.err());
        assertTrue(profile.err().contains("IQ2_XXS has no EdgeFront quantizer"), profile.err());
        assertTrue(!java.nio.file.Files.exists(dir.resolve("p")), "no partial output");
        CliRun compare = CliRun.of("compare", "--model", "synthetic:tiny", "--bits-per-weight", "4.0", "--paragraphs", "2", "--max-tokens", "16",
                "--options", "Q8_0,Q4_0", "--uniform-formats", "Q8_0,TQ1_0", "--mixes", "Q4_K_M");
        assertEquals(2, compare.code(), compare.err());
        assertTrue(compare.err().contains("--uniform-formats") && compare.err().contains("TQ1_0 has no EdgeFront quantizer"), compare.err());
        // a mix is measurable only where every tensor's stored type has a quantizer (on 64-wide rows IQ3_S falls back to IQ4_NL)
        ModelArchitecture llama = ModelDescriptors.load(MODEL).architecture();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> org.edgefront.jobs.profile.CompareStudy.measurableMix(llama, "IQ3_M"));
        assertTrue(e.getMessage().startsWith("mix IQ3_M stores ") && e.getMessage().contains("IQ3_S has no EdgeFront quantizer"), e.getMessage());
        org.edgefront.jobs.profile.CompareStudy.measurableMix(llama, "Q4_K_M");
    }
}
