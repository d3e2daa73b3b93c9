/**
 * Tokenizers: text to token ids and back. {@link org.edgefront.space.tokenizer.Llama2cTokenizer} reads
 * llama2.c's tokenizer.bin and encodes exactly as llama2.c does; {@link
 * org.edgefront.space.tokenizer.HuggingFaceTokenizer} reads BPE {@code tokenizer.json} files (byte-level and
 * SentencePiece styles).
 */
package org.edgefront.space.tokenizer;
