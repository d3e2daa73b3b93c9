package org.edgefront.jobs.spec;

import static org.edgefront.jobs.spec.SearchSpecLoader.require;
import static org.edgefront.jobs.spec.SearchSpecLoader.mustExist;
import static org.edgefront.jobs.spec.SearchSpecLoader.relative;

import java.io.IOException;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;

/**
 * The spec's {@code model} section resolved: the checkpoint (command-line overrides applied, paths resolved against
 * the spec), the tokenizer and evaluation text of a real model (null for a synthetic one), and the architecture read
 * from the checkpoint's header. Immutable.
 *
 * @param source       the model source
 * @param tokenizerUri tokenizer (null for synthetic models)
 * @param textUri      evaluation text (null for synthetic models)
 * @param architecture the model's architecture
 */
public record ResolvedModel(ModelSource source, String tokenizerUri, String textUri, ModelArchitecture architecture) {

    /**
     * Resolves the model section of {@code s} read from {@code file}.
     *
     * @throws InvalidInputException naming the file and key for a missing or unreadable model, tokenizer or text
     */
    public static ResolvedModel resolve(String file, SearchSpec s, SearchSpecLoader.Overrides o) {
        SearchSpec.Model m = s.model() == null ? new SearchSpec.Model(null, null, null) : s.model();
        String modelUri = o.model() != null ? o.model() : m.source();
        require(file, "model.source", modelUri != null, "is required (a llama2.c checkpoint, a Hugging Face directory, a GGUF file or synthetic:tiny)");
        boolean fromCli = o.model() != null;
        ModelSource model = new ModelSource(fromCli || modelUri.startsWith("synthetic:") ? modelUri : relative(file, modelUri));
        String tokenizer = o.tokenizer() != null ? o.tokenizer() : (m.tokenizer() == null ? null : relative(file, m.tokenizer()));
        String textUri = o.text() != null ? o.text() : (m.text() == null ? null : relative(file, m.text()));
        if (fromCli && o.tokenizer() == null && o.text() == null && !model.synthetic()) {
            tokenizer = null;
            textUri = null;
        }
        if (!model.synthetic()) {
            require(file, "model.tokenizer", tokenizer != null, "is required for a real model (or pass --tokenizer)");
            require(file, "model.text", textUri != null, "is required for a real model (or pass --text)");
            mustExist(tokenizer, "model.tokenizer", file);
            mustExist(textUri, "model.text", file);
        } else {
            tokenizer = null;
            textUri = null;
        }
        ModelArchitecture arch;
        try (ModelWeights w = model.open()) {
            arch = w.architecture();
        } catch (IOException e) {
            throw new InvalidInputException(model.uri(), "(file)", "cannot read model: " + e.getMessage(), e);
        }

        return new ResolvedModel(model, tokenizer, textUri, arch);
    }
}
