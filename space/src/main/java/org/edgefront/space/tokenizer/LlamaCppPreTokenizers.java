package org.edgefront.space.tokenizer;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * llama.cpp's byte-level BPE pre-tokenizers by the names {@code tokenizer.ggml.pre} holds: for each, the regular
 * expressions {@code llama_vocab} applies one after another (each splits the pieces of the one before into its
 * matches and the text between them), whether a word found whole in the vocabulary is taken as is
 * ({@code ignore_merges}), and whether texts start with BOS when the file does not say. Transcribed from
 * {@code src/llama-vocab.cpp} of the llama.cpp that {@code tools/llama-cpp/build.sh} builds (node-llama-cpp 3.22.1,
 * llama.cpp de3ff81), with the translation that makes Java's {@code Pattern} (Unicode classes) match as llama.cpp's
 * does: {@code \p{Lu}}, {@code \p{Ll}}, {@code \p{Lt}}, {@code \p{Lm}} and {@code \p{Lo}} are all letters there
 * (its "collapsed" categories), {@code \d} is ASCII and {@code $} is the end of the piece. A {@code null} expression
 * is GPT-2's, which llama.cpp runs with its own implementation (as the {@code ByteLevel} pre-tokenizer's here); the
 * Llama 3, Qwen2 and Qwen3.5 expressions llama.cpp also runs with its own code are this class's constants, whose Java
 * forms its test vectors confirm, and so is the digit grouping its code does for afmoe and tiny_aya. An expression that
 * matches only empty text (superbpe's lookahead) splits the text where it matches, as llama.cpp's does. Names whose
 * expressions llama.cpp runs with code of its own that these do not reproduce (kimi-k2), embedding models'
 * (add_sep, granite-embed) and the non-byte-level ones are absent: such a vocabulary is refused by name. Immutable;
 * thread-safe.
 */
final class LlamaCppPreTokenizers {
    /** Llama 3's expression (llama.cpp's LLAMA3 type and the types that share its expression). */
    static final String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen2's: Llama 3's with digits one by one. */
    static final String QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen3.5's: Qwen2's with combining marks ({@code \p{M}}) inside words. */
    static final String QWEN35_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /**
     * Digit runs in groups of three from the right ({@code 1234567} as 1, 234, 567), the rest untouched: what llama.cpp's
     * own code does for AFMoE's {@code \p{AFMoE_digits}} and Tiny Aya's {@code \d{1,3}(?=(?:\d{3})*\b)}.
     */
    static final String DIGITS_BY_THREE_REGEX = "\\p{N}{1,3}(?=(?:\\p{N}{3})*(?!\\p{N}))";
    /** Stands for GPT-2's expression in a rule's list. */
    private static final String GPT2 = null;
    /** Ling's (BailingMoE) expression (its type: Ling 2, LLaDA MoE). */
    private static final String[] BAILINGMOE = {"'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+"};
    /** BLOOM's expression (its type, Poro's and GPT-3 Finnish's). */
    private static final String[] BLOOM = {" ?[^(\\s|.,!?\u2026\u3002\uff0c\u3001\u0964\u06d4\u060c)]+"};
    /** DeepSeek V3's expressions (its type and the types that share them: Hunyuan dense, JoyAI, HY V4). */
    private static final String[] DEEPSEEK3 = {"\\p{N}{1,3}", "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+", "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"};
    /** GPT-4o's expression (its type: Llama 4, Kanana 2, Talkie; and MiniMax M2's). */
    private static final String[] GPT4O = {"[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"};
    /** Tiny Aya's expressions (its type: Cohere2 MoE too). */
    private static final String[] TINY_AYA = {DIGITS_BY_THREE_REGEX, "[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{L}\\p{L}\\p{L}\\p{M}]*[\\p{L}\\p{L}\\p{L}\\p{M}]+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{L}\\p{L}\\p{L}\\p{M}]+[\\p{L}\\p{L}\\p{L}\\p{M}]*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"};

    /**
     * One pre-tokenizer.
     *
     * @param type         llama.cpp's {@code LLAMA_VOCAB_PRE_TYPE_*} name, for messages
     * @param regexes      the expressions in order; a null element is GPT-2's
     * @param ignoreMerges a word found whole in the vocabulary is one token
     * @param addsBos      texts start with BOS when the file has no {@code add_bos_token}
     */
    record Rule(String type, List<String> regexes, boolean ignoreMerges, boolean addsBos) { }

    private static final Map<String, Rule> RULES;

    static {
        Map<String, Rule> m = new LinkedHashMap<>();
        put(m, "falcon-h1", "LLAMA3", true, true, LLAMA3_REGEX);
        put(m, "falcon3", "LLAMA3", true, true, LLAMA3_REGEX);
        put(m, "jina-v5-nano", "LLAMA3", true, true, LLAMA3_REGEX);
        put(m, "lfm2", "LLAMA3", true, true, LLAMA3_REGEX);
        put(m, "llama-bpe", "LLAMA3", true, true, LLAMA3_REGEX);
        put(m, "llama-v3", "LLAMA3", true, true, LLAMA3_REGEX);
        put(m, "llama3", "LLAMA3", true, true, LLAMA3_REGEX);
        put(m, "midm-2.0", "LLAMA3", true, true, LLAMA3_REGEX);
        put(m, "pixtral", "LLAMA3", true, true, LLAMA3_REGEX);
        put(m, "jais-2", "JAIS2", false, false, "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s{512}(?!\\S)|\\s{256}(?!\\S)|\\s{128}(?!\\S)|\\s{64}(?!\\S)|\\s{32}(?!\\S)|\\s{16}(?!\\S)|\\s{8}(?!\\S)|\\s{4}(?!\\S)|\\s{1,2}(?!\\S)|\\s{1}");
        put(m, "dbrx", "DBRX", false, false, LLAMA3_REGEX);
        put(m, "smaug-bpe", "SMAUG", false, false, LLAMA3_REGEX);
        put(m, "deepseek-llm", "DEEPSEEK_LLM", false, false, "[\r\n]", "\\s?[A-Za-z\u00b5\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u01ba\u01bc-\u01bf\u01c4-\u0293\u0295-\u02af\u0370-\u0373\u0376\u0377\u037b-\u037d\u037f\u0386\u0388-\u038a\u038c\u038e-\u03a1\u03a3-\u03f5\u03f7-\u0481\u048a-\u052f\u0531-\u0556\u10a0-\u10c5\u13a0-\u13f5\u13f8-\u13fd\u1c90-\u1cba\u1cbd-\u1cbf\u1d00-\u1d2b\u1d6b-\u1d77\u1d79-\u1d9a\u1e00-\u1f15\u1f18-\u1f1d\u1f20-\u1f45\u1f48-\u1f4d\u1f50-\u1f57\u1f59\u1f5b\u1f5d\u1f5f-\u1f7d\u1f80-\u1fb4\u1fb6-\u1fbc\u1fbe\u1fc2-\u1fc4\u1fc6-\u1fcc\u1fd0-\u1fd3\u1fd6-\u1fdb\u1fe0-\u1fec\u1ff2-\u1ff4\u1ff6-\u1ffc\u2102\u2107\u210a-\u2113\u2115\u2119-\u211d\u2124\u2126\u2128\u212a-\u212d\u212f-\u2134\u2139\u213c-\u213f\u2145-\u2149\u214e\u2183\u2184\u2c00-\u2c7b\u2c7e-\u2ce4\u2ceb-\u2cee\u2cf2\u2cf3\ua640-\ua66d\ua680-\ua69b\ua722-\ua76f\ua771-\ua787\ua78b-\ua78e\uab70-\uabbf\ufb00-\ufb06\ufb13-\ufb17\uff21-\uff3a\uff41-\uff5a\ud801\udc00-\ud801\udc4f\ud801\udcb0-\ud801\udcd3\ud801\udcd8-\ud801\udcfb\ud803\udc80-\ud803\udcb2\ud803\udcc0-\ud803\udcf2\ud806\udca0-\ud806\udcdf\ud83a\udd00-\ud83a\udd43]+", "\\s?[!-/:-~\uff01-\uff0f\uff1a-\uff5e\u2018-\u201f\u3000-\u3002]+", "\\s+\\z", "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+", "\\p{N}+");
        put(m, "deepseek-v3", "DEEPSEEK3_LLM", false, false, DEEPSEEK3);
        put(m, "hunyuan-dense", "HUNYUAN_DENSE", false, false, DEEPSEEK3);
        put(m, "joyai-llm", "JOYAI_LLM", false, false, DEEPSEEK3);
        put(m, "hy_v4", "HY_V4", false, false, DEEPSEEK3);
        put(m, "spark2_5", "SPARK2_5", false, false, "\\p{N}{1,3}", "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+", "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+|[\r\n]|\\s+(?!\\S)|\\s+", "\\p{N}");
        put(m, "youtu", "YOUTU", true, false, "[\uac00-\ud7a3\u3131-\u318e]+|[\uff01\u2026\u201c\u201d\u2018\u2019\u2014\uff1a\uff1b\uff0c\u3001-\u303f\ufe30-\ufe4f]+|[\u3105-\u312f]+|[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+", "[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{L}\\p{L}\\p{L}\\p{M}]*[\\p{L}\\p{L}\\p{L}\\p{M}]+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{L}\\p{L}\\p{L}\\p{M}]+[\\p{L}\\p{L}\\p{L}\\p{M}]*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
        put(m, "deepseek-coder", "DEEPSEEK_CODER", false, false, "[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+", "\\p{N}");
        put(m, "falcon", "FALCON", false, false, "[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2, "[0-9][0-9][0-9]");
        put(m, "starcoder", "STARCODER", false, false, "\\p{N}", GPT2);
        put(m, "refact", "REFACT", false, false, "\\p{N}", GPT2);
        put(m, "command-r", "COMMAND_R", false, false, "\\p{N}", GPT2);
        put(m, "smollm", "SMOLLM", false, false, "\\p{N}", GPT2);
        put(m, "codeshell", "CODESHELL", false, false, "\\p{N}", GPT2);
        put(m, "exaone", "EXAONE", false, false, "\\p{N}", GPT2);
        put(m, "minerva-7b", "MINERVA", false, false, "\\p{N}", GPT2);
        put(m, "mellum2", "MELLUM2", false, false, "\\p{N}", GPT2);
        put(m, "a.x-4.0", "GPT2", false, false, GPT2);
        put(m, "exaone4", "GPT2", false, false, GPT2);
        put(m, "gigachat", "GPT2", false, false, GPT2);
        put(m, "gpt-2", "GPT2", false, false, GPT2);
        put(m, "jina-de", "GPT2", false, false, GPT2);
        put(m, "jina-es", "GPT2", false, false, GPT2);
        put(m, "jina-v2-de", "GPT2", false, false, GPT2);
        put(m, "jina-v2-es", "GPT2", false, false, GPT2);
        put(m, "mellum", "GPT2", false, false, GPT2);
        put(m, "modern-bert", "GPT2", false, false, GPT2);
        put(m, "phi-2", "GPT2", false, false, GPT2);
        put(m, "mpt", "MPT", false, false, GPT2);
        put(m, "olmo", "OLMO", false, false, GPT2);
        put(m, "jais", "JAIS", false, false, GPT2);
        put(m, "trillion", "TRILLION", false, false, GPT2);
        put(m, "granite-docling", "GRANITE_DOCLING", false, false, GPT2);
        put(m, "stablelm2", "STABLELM2", false, false, QWEN2_REGEX);
        put(m, "deepseek-r1-qwen", "QWEN2", false, false, QWEN2_REGEX);
        put(m, "f2llmv2", "QWEN2", false, false, QWEN2_REGEX);
        put(m, "kormo", "QWEN2", false, false, QWEN2_REGEX);
        put(m, "megrez", "QWEN2", false, false, QWEN2_REGEX);
        put(m, "qwen2", "QWEN2", false, false, QWEN2_REGEX);
        put(m, "hunyuan", "HUNYUAN", false, false, QWEN2_REGEX);
        put(m, "solar-open", "SOLAR_OPEN", false, false, QWEN2_REGEX);
        put(m, "qwen35", "QWEN35", false, false, QWEN35_REGEX);
        put(m, "poro-chat", "PORO", false, false, BLOOM);
        put(m, "bloom", "BLOOM", false, false, BLOOM);
        put(m, "gpt3-finnish", "GPT3_FINNISH", false, false, BLOOM);
        put(m, "chatglm-bpe", "CHATGLM4", false, false, LLAMA3_REGEX);
        put(m, "glm4", "CHATGLM4", false, false, LLAMA3_REGEX);
        put(m, "viking", "VIKING", false, false, " ?[^(\\s|.,!?\u2026\u3002\uff0c\u3001\u0964\u06d4\u060c)]+", "\\p{N}");
        put(m, "tekken", "TEKKEN", true, true, "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
        put(m, "chameleon", "CHAMELEON", false, true, "<sentinel:[0-9]+>", "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z", "([\\t\\n]|    |  )", "\\p{N}", "[\\p{P}!-/:-@\\[-`{-~]", GPT2);
        put(m, "gpt-4o", "GPT4O", false, false, GPT4O);
        put(m, "kanana2", "GPT4O", false, false, GPT4O);
        put(m, "llama4", "GPT4O", false, false, GPT4O);
        put(m, "talkie", "GPT4O", false, false, GPT4O);
        put(m, "minimax-m2", "MINIMAX_M2", false, false, GPT4O);
        put(m, "cohere2moe", "TINY_AYA", false, false, TINY_AYA);
        put(m, "tiny_aya", "TINY_AYA", false, false, TINY_AYA);
        put(m, "superbpe", "SUPERBPE", false, false, "\\p{N}+", "(?=([0-9]{3})+(?![0-9]))");
        put(m, "bailingmoe", "BAILINGMOE", false, false, BAILINGMOE);
        put(m, "bailingmoe2", "BAILINGMOE", false, false, BAILINGMOE);
        put(m, "llada-moe", "BAILINGMOE", false, false, BAILINGMOE);
        put(m, "seed-coder", "SEED_CODER", false, false, "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
        put(m, "ufakzeka", "UFAKZEKA", false, false, "[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
        put(m, "grok-2", "GROK_2", false, false, QWEN2_REGEX);
        put(m, "afmoe", "AFMOE", false, false, DIGITS_BY_THREE_REGEX, "[\u4e00-\u9fff\u3400-\u4dbf\u8c48-\ufaff\u3040-\u309f\u30a0-\u30ff\uff65-\uff9f\u2f00-\u2fdf\u0e40-\u0e7f\u0e80-\u0eff\u1780-\u17ff\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff\uac00-\ud7af\u1100-\u11ff]+", "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
        put(m, "laguna", "LAGUNA", false, false, "[^\\n]+|[\\n]+", QWEN2_REGEX);
        put(m, "exaone-moe", "EXAONE_MOE", false, false, "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?(?:\\p{L}\\p{M}*(?: \\p{L}\\p{M}*)*)+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]?|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+");
        put(m, "minicpm5", "MINICPM5", true, false, "\\p{N}{1,3}", "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}+| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
        RULES = Collections.unmodifiableMap(m);
    }

    private LlamaCppPreTokenizers() { }

    private static void put(Map<String, Rule> m, String name, String type, boolean ignoreMerges, boolean addsBos, String... regexes) {
        m.put(name, new Rule(type, Collections.unmodifiableList(Arrays.asList(regexes.clone())), ignoreMerges, addsBos));
    }

    /** The rule of a {@code tokenizer.ggml.pre} name, or null when EdgeFront has none. */
    static Rule get(String pre) { return RULES.get(pre); }

    /** Every name with a rule, in llama.cpp's order of types. */
    static Set<String> names() { return RULES.keySet(); }
}
