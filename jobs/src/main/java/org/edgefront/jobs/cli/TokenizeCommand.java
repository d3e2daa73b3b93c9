package org.edgefront.jobs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.TextCorpus;
import org.edgefront.space.tokenizer.Tokenizer;
import org.edgefront.space.tokenizer.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgefront tokenize}: the token ids EdgeFront gives paragraphs of a text, so a tokenizer can be checked
 * against its reference implementation (e.g. the Hugging Face tokenizers library) before perplexities on a new
 * model family are trusted. No BOS/EOS is added, like the reference's {@code add_special_tokens=False}.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print the token ids of paragraphs of a text (to check a tokenizer against its reference).")
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = "--tokenizer", required = true, description = "Hugging Face tokenizer.json (or model directory), a GGUF file (the tokenizer it carries), or llama2.c tokenizer file.")
    String tokenizer;

    @Option(names = "--vocab-size", defaultValue = "0", description = "Vocabulary size, needed only for llama2.c tokenizer files.")
    int vocabSize;

    @Option(names = "--text", required = true, description = "Text: paragraphs separated by blank lines, or one per line (see --text-layout).")
    String text;

    @Option(names = "--text-layout", defaultValue = "AUTO",
            description = "Paragraphs: AUTO (blank lines if the text has any, else one per line), BLANK_LINES or LINES (default ${DEFAULT-VALUE}).")
    TextCorpus.Layout layout;

    @Option(names = "--offset", defaultValue = "0", description = "Paragraphs to skip first (default ${DEFAULT-VALUE}).")
    int offset;

    @Option(names = "--paragraphs", defaultValue = "20", description = "Paragraphs to encode, 0 for all after --offset (default ${DEFAULT-VALUE}).")
    int paragraphs;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (offset < 0) throw new InvalidInputException("-", "--offset", "must be >= 0");
        if (paragraphs < 0) throw new InvalidInputException("-", "--paragraphs", "must be >= 0 (0: all)");
        if (vocabSize < 0) throw new InvalidInputException("-", "--vocab-size", "must be >= 0");
        Tokenizer tok = Tokenizers.load(tokenizer, vocabSize);
        List<String> ps = TextCorpus.paragraphs(text, layout, new org.apache.hadoop.conf.Configuration());
        int count = paragraphs == 0 ? ps.size() - offset : paragraphs;
        if (count < 1 || offset + count > ps.size()) {
            throw new InvalidInputException(text, "paragraphs", "asked for paragraphs " + offset + ".." + (offset + count - 1) + " but the text has " + ps.size());
        }
        ObjectNode n = JsonOut.object();
        n.put("tokenizer", tokenizer);
        n.put("vocab_size", tok.vocabSize());
        ArrayNode out = n.putArray("paragraphs");
        long tokens = 0;
        for (String p : ps.subList(offset, offset + count)) {
            int[] ids = tok.encode(p, false, false);
            tokens += ids.length;
            ObjectNode o = out.addObject();
            o.put("text", p);
            ArrayNode a = o.putArray("ids");
            for (int id : ids) a.add(id);
        }
        n.put("tokens", tokens);
        if (json) {
            JsonOut.print(System.out, n);
        } else {
            System.out.printf(Locale.ROOT, "%d paragraphs, %d tokens (vocabulary %d)%n", count, tokens, tok.vocabSize());
        }
        return 0;
    }
}
