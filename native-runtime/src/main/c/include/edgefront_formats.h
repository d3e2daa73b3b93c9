/*
 * edgefront_formats.h - the simulator's weight-format table (one row per format id).
 *
 * The one C definition of every format the simulator knows. edgefront_sim.h builds the ef_format
 * enum from it, the simulator takes each format's default dequantization cost and compute path from
 * it, and the reference kernels take blocks and bytes from it. Its Java twin is
 * org.edgefront.space.format.NamedFormat (named rows) and SimulatorFormats (generic rows); the JNI
 * library hands this table to Java at load (ef_format_info) and Java refuses to run when the two
 * disagree, naming the id and the column.
 *
 * EF_FORMAT_TABLE(X) calls X(name, id, ggml_type, block_weights, block_bytes, dequant_ops, int8_path):
 *   name          label (EF_FMT_<name>)
 *   id            ef_format id: 0..15 and EF_FMT_NAMED2_BASE (32)..EF_FMT_COUNT-1 named formats; 16..31 are the
 *                 generic intN ids below (api 7 added named ids after them so that no generic id moved)
 *   ggml_type     ggml's type id (GGUF)
 *   block_weights weights per block (1 for floats)
 *   block_bytes   bytes per block incl. scales and minima (floats: bytes per weight)
 *   dequant_ops   default dequantization ops per stored weight (before a backend's dequant_scale);
 *                 rationale: unpacking a nibble and applying a block scale ~1 op; extra high-bit planes,
 *                 minima and two-level K-quant scales add to it; F16/BF16 convert to fp32 (0.5); lattice
 *                 i-quants pay grid (codebook) loads, sign lookups or sign bits and per-16/32 scales (2.5-3.5);
 *                 TQ1_0 decodes base-3 trits with a multiply and shift (2.0), TQ2_0 unpacks 2-bit codes (1.0);
 *                 MXFP4 (api 10) looks a nibble up in the E2M1 table with one power-of-two (E8M0) scale per 32,
 *                 IQ4_NL's work (1.0)
 *   int8_path     1: the GEMV runs on the int8 dot-product path (activations quantized); 0: float path
 *
 * EF_INT_TABLE(X) calls X(bits, dequant_ops_symmetric, dequant_ops_asymmetric) for the generic
 * int{bits}g{group} formats (ids EF_FMT_INT_BASE + bits - 1 and EF_FMT_INT_ASYM_BASE + bits - 1; their
 * group size travels with the stored bytes). Generic 3/5/6/7-bit codes straddle bytes; a zero point
 * adds 0.25, as Q4_1 over Q4_0.
 *
 * Adding a format: one X row here with a free id (named ids 0..15 and 32..40 are all taken; raise
 * EF_FMT_COUNT in edgefront_sim.h, which widens ef_backend_params.dequant_ops and the JNI wire with it:
 * an api version bump) and the same row in NamedFormat (SimulatorFormats.COUNT with EF_FMT_COUNT).
 */
#ifndef EDGEFRONT_FORMATS_H
#define EDGEFRONT_FORMATS_H

#define EF_FORMAT_TABLE(X)                      \
    X(F32,    0,  0,  1,   4,   0.0,  0)        \
    X(F16,    1,  1,  1,   2,   0.5,  0)        \
    X(BF16,   2,  30, 1,   2,   0.5,  0)        \
    X(Q8_0,   3,  8,  32,  34,  0.25, 1)        \
    X(Q4_0,   4,  2,  32,  18,  1.0,  1)        \
    X(Q4_1,   5,  3,  32,  20,  1.25, 1)        \
    X(Q5_0,   6,  6,  32,  22,  2.0,  1)        \
    X(Q5_1,   7,  7,  32,  24,  2.25, 1)        \
    X(Q2_K,   8,  10, 256, 84,  2.5,  1)        \
    X(Q3_K,   9,  11, 256, 110, 3.0,  1)        \
    X(Q4_K,   10, 12, 256, 144, 1.5,  1)        \
    X(Q5_K,   11, 13, 256, 176, 2.5,  1)        \
    X(Q6_K,   12, 14, 256, 210, 2.5,  1)        \
    X(IQ4_NL, 13, 20, 32,  18,  1.0,  1)        \
    X(IQ4_XS, 14, 23, 256, 136, 1.25, 1)        \
    X(IQ3_XXS, 15, 18, 256, 98, 3.5,  1)        \
    X(IQ3_S,  32, 21, 256, 110, 3.5,  1)        \
    X(IQ2_XXS, 33, 16, 256, 66, 3.0,  1)        \
    X(IQ2_XS, 34, 17, 256, 74,  3.25, 1)        \
    X(IQ2_S,  35, 22, 256, 82,  3.0,  1)        \
    X(IQ1_S,  36, 19, 256, 50,  2.5,  1)        \
    X(IQ1_M,  37, 29, 256, 56,  2.75, 1)        \
    X(TQ1_0,  38, 34, 256, 54,  2.0,  1)        \
    X(TQ2_0,  39, 35, 256, 66,  1.0,  1)        \
    X(MXFP4,  40, 39, 32,  17,  1.0,  1)

#define EF_INT_TABLE(X) \
    X(1, 1.5, 1.75)     \
    X(2, 1.5, 1.75)     \
    X(3, 2.5, 2.75)     \
    X(4, 1.0, 1.25)     \
    X(5, 2.5, 2.75)     \
    X(6, 2.5, 2.75)     \
    X(7, 2.5, 2.75)     \
    X(8, 0.25, 0.5)

#endif /* EDGEFRONT_FORMATS_H */
