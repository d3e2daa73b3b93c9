/**
 * Checkpoint and text readers (llama2.c, Hugging Face safetensors directories, plain text corpora) and
 * the writers used for generated checkpoints. Everything goes through the Hadoop {@code FileSystem} API,
 * so plain local paths, {@code file://}, {@code hdfs://} and {@code s3a://} all work. Tensors are read
 * lazily by byte range; headers are validated against the file size before anything is allocated.
 */
package org.edgefront.space.io;
