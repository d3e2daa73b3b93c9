package org.edgefront.space.ggml;

import static org.edgefront.space.ggml.GgmlTables.IQ1S;
import static org.edgefront.space.ggml.GgmlTables.IQ2S;
import static org.edgefront.space.ggml.GgmlTables.IQ2XS;
import static org.edgefront.space.ggml.GgmlTables.IQ2XXS;
import static org.edgefront.space.ggml.GgmlTables.IQ3S;
import static org.edgefront.space.ggml.GgmlTables.IQ3XXS;
import static org.edgefront.space.ggml.GgmlTables.KSIGNS_IQ2XS;
import static org.edgefront.space.ggml.GgmlTables.KVALUES_FP4;
import static org.edgefront.space.ggml.GgmlTables.KVALUES_IQ4NL;

import org.edgefront.space.io.Half;

/**
 * The decoders behind {@link GgmlType}, written from the block layouts in llama.cpp's {@code ggml-common.h}
 * and the definitions of {@code dequantize_row_*} in {@code ggml-quants.c}. Each performs the same float
 * operations in the same order as ggml's reference C (which is compiled without FMA contraction), so the
 * results are equal floats: products {@code a * b * c} associate left to right, an int times a float is the
 * int converted to float first. Stateless and thread-safe.
 */
final class GgmlDecoders {
    private static final float IQ1S_DELTA = 0.125f;

    private GgmlDecoders() { }

    private static int u8(byte[] b, int o) { return b[o] & 0xff; }

    private static int u16(byte[] b, int o) { return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8; }

    private static int u32(byte[] b, int o) { return u16(b, o) | u16(b, o + 2) << 16; }

    private static float half(byte[] b, int o) { return Half.toFloat((short) u16(b, o)); }

    /** ggml's sign of value {@code j} in a group of 8 from a sign byte: kmask_iq2xs[j] is 1 << j. */
    private static float sign(int signs, int j) { return (signs & (1 << j)) != 0 ? -1.f : 1.f; }

    static void f32(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++) y[p + i] = Float.intBitsToFloat(u32(s, o + 4 * i));
    }

    static void f16(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++) y[p + i] = half(s, o + 2 * i);
    }

    static void bf16(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++) y[p + i] = Half.bf16ToFloat((short) u16(s, o + 2 * i));
    }

    static void q4_0(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 18, p += 32) {
            float d = half(s, o);
            for (int j = 0; j < 16; j++) {
                int q = u8(s, o + 2 + j);
                y[p + j] = ((q & 0x0F) - 8) * d;
                y[p + j + 16] = ((q >> 4) - 8) * d;
            }
        }
    }

    static void q4_1(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 20, p += 32) {
            float d = half(s, o);
            float m = half(s, o + 2);
            for (int j = 0; j < 16; j++) {
                int q = u8(s, o + 4 + j);
                y[p + j] = (q & 0x0F) * d + m;
                y[p + j + 16] = (q >> 4) * d + m;
            }
        }
    }

    static void q5_0(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 22, p += 32) {
            float d = half(s, o);
            int qh = u32(s, o + 2);
            for (int j = 0; j < 16; j++) {
                int q = u8(s, o + 6 + j);
                int xh0 = ((qh >>> j) << 4) & 0x10;
                int xh1 = (qh >>> (j + 12)) & 0x10;
                y[p + j] = (((q & 0x0F) | xh0) - 16) * d;
                y[p + j + 16] = (((q >> 4) | xh1) - 16) * d;
            }
        }
    }

    static void q5_1(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 24, p += 32) {
            float d = half(s, o);
            float m = half(s, o + 2);
            int qh = u32(s, o + 4);
            for (int j = 0; j < 16; j++) {
                int q = u8(s, o + 8 + j);
                int xh0 = ((qh >>> j) << 4) & 0x10;
                int xh1 = (qh >>> (j + 12)) & 0x10;
                y[p + j] = ((q & 0x0F) | xh0) * d + m;
                y[p + j + 16] = ((q >> 4) | xh1) * d + m;
            }
        }
    }

    static void q8_0(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 34, p += 32) {
            float d = half(s, o);
            for (int j = 0; j < 32; j++) y[p + j] = s[o + 2 + j] * d;
        }
    }

    static void mxfp4(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 17, p += 32) {
            int e = u8(s, o);
            // ggml_e8m0_to_fp32_half: 2^(e - 128), subnormal for e < 2
            float d = Float.intBitsToFloat(e < 2 ? 0x00200000 << e : (e - 1) << 23);
            for (int j = 0; j < 16; j++) {
                int q = u8(s, o + 1 + j);
                y[p + j] = KVALUES_FP4[q & 0x0F] * d;
                y[p + j + 16] = KVALUES_FP4[q >> 4] * d;
            }
        }
    }

    static void q2_K(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 84) {
            float d = half(s, o + 80);
            float min = half(s, o + 82);
            int q = o + 16;
            int is = 0;
            for (int half = 0; half < 2; half++) {
                for (int shift = 0; shift < 8; shift += 2) {
                    int sc = u8(s, o + is++);
                    float dl = d * (sc & 0xF);
                    float ml = min * (sc >> 4);
                    for (int l = 0; l < 16; l++) y[p++] = dl * ((u8(s, q + l) >> shift) & 3) - ml;
                    sc = u8(s, o + is++);
                    dl = d * (sc & 0xF);
                    ml = min * (sc >> 4);
                    for (int l = 0; l < 16; l++) y[p++] = dl * ((u8(s, q + l + 16) >> shift) & 3) - ml;
                }
                q += 32;
            }
        }
    }

    static void q3_K(byte[] s, int o, int n, float[] y, int p) {
        byte[] scales = new byte[16];
        for (int i = 0; i < n; i++, o += 110) {
            float dAll = half(s, o + 108);
            int a0 = u32(s, o + 96);
            int a1 = u32(s, o + 100);
            int tmp = u32(s, o + 104);
            int kmask1 = 0x03030303;
            int kmask2 = 0x0f0f0f0f;
            int[] aux = {
                (a0 & kmask2) | (((tmp) & kmask1) << 4),
                (a1 & kmask2) | (((tmp >>> 2) & kmask1) << 4),
                ((a0 >>> 4) & kmask2) | (((tmp >>> 4) & kmask1) << 4),
                ((a1 >>> 4) & kmask2) | (((tmp >>> 6) & kmask1) << 4)};
            for (int k = 0; k < 16; k++) scales[k] = (byte) (aux[k / 4] >>> (8 * (k % 4)));
            int q = o + 32;
            int hm = o;
            int m = 1;
            int is = 0;
            for (int half = 0; half < 2; half++) {
                for (int shift = 0; shift < 8; shift += 2) {
                    float dl = dAll * (scales[is++] - 32);
                    for (int l = 0; l < 16; l++) {
                        y[p++] = dl * (((u8(s, q + l) >> shift) & 3) - ((u8(s, hm + l) & m) != 0 ? 0 : 4));
                    }
                    dl = dAll * (scales[is++] - 32);
                    for (int l = 0; l < 16; l++) {
                        y[p++] = dl * (((u8(s, q + l + 16) >> shift) & 3) - ((u8(s, hm + l + 16) & m) != 0 ? 0 : 4));
                    }
                    m <<= 1;
                }
                q += 32;
            }
        }
    }

    /** ggml's get_scale_min_k4: 6-bit scale (index 0) and min (index 1) of sub-block j from the 12 packed bytes at sc. */
    private static int scaleK4(byte[] s, int sc, int j) {
        return j < 4 ? u8(s, sc + j) & 63 : (u8(s, sc + j + 4) & 0xF) | ((u8(s, sc + j - 4) >> 6) << 4);
    }

    private static int minK4(byte[] s, int sc, int j) {
        return j < 4 ? u8(s, sc + j + 4) & 63 : (u8(s, sc + j + 4) >> 4) | ((u8(s, sc + j) >> 6) << 4);
    }

    static void q4_K(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 144) {
            float d = half(s, o);
            float min = half(s, o + 2);
            int q = o + 16;
            for (int is = 0; is < 8; is += 2, q += 32) {
                float d1 = d * scaleK4(s, o + 4, is);
                float m1 = min * minK4(s, o + 4, is);
                float d2 = d * scaleK4(s, o + 4, is + 1);
                float m2 = min * minK4(s, o + 4, is + 1);
                for (int l = 0; l < 32; l++) y[p++] = d1 * (u8(s, q + l) & 0xF) - m1;
                for (int l = 0; l < 32; l++) y[p++] = d2 * (u8(s, q + l) >> 4) - m2;
            }
        }
    }

    static void q5_K(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 176) {
            float d = half(s, o);
            float min = half(s, o + 2);
            int qh = o + 16;
            int ql = o + 48;
            int u1 = 1;
            int u2 = 2;
            for (int is = 0; is < 8; is += 2, ql += 32, u1 <<= 2, u2 <<= 2) {
                float d1 = d * scaleK4(s, o + 4, is);
                float m1 = min * minK4(s, o + 4, is);
                float d2 = d * scaleK4(s, o + 4, is + 1);
                float m2 = min * minK4(s, o + 4, is + 1);
                for (int l = 0; l < 32; l++) y[p++] = d1 * ((u8(s, ql + l) & 0xF) + ((u8(s, qh + l) & u1) != 0 ? 16 : 0)) - m1;
                for (int l = 0; l < 32; l++) y[p++] = d2 * ((u8(s, ql + l) >> 4) + ((u8(s, qh + l) & u2) != 0 ? 16 : 0)) - m2;
            }
        }
    }

    static void q6_K(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 210) {
            float d = half(s, o + 208);
            int ql = o;
            int qh = o + 128;
            int sc = o + 192;
            for (int half = 0; half < 2; half++, p += 128, ql += 64, qh += 32, sc += 8) {
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int h = u8(s, qh + l);
                    int q1 = ((u8(s, ql + l) & 0xF) | ((h & 3) << 4)) - 32;
                    int q2 = ((u8(s, ql + l + 32) & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                    int q3 = ((u8(s, ql + l) >> 4) | (((h >> 4) & 3) << 4)) - 32;
                    int q4 = ((u8(s, ql + l + 32) >> 4) | (((h >> 6) & 3) << 4)) - 32;
                    y[p + l] = d * s[sc + is] * q1;
                    y[p + l + 32] = d * s[sc + is + 2] * q2;
                    y[p + l + 64] = d * s[sc + is + 4] * q3;
                    y[p + l + 96] = d * s[sc + is + 6] * q4;
                }
            }
        }
    }

    static void q8_K(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 292, p += 256) {
            float d = Float.intBitsToFloat(u32(s, o));
            for (int j = 0; j < 256; j++) y[p + j] = d * s[o + 4 + j];
        }
    }

    /** One ternary digit of a byte holding up to five of them (ggml's TQ1_0 packing: q * 3^n, top trit). */
    private static int trit(int q, int pow3) {
        int r = (q * pow3) & 0xff;
        return ((r * 3) >> 8) - 1;
    }

    static void tq1_0(byte[] s, int o, int n, float[] y, int p) {
        int[] pow3 = {1, 3, 9, 27, 81, 243};
        for (int i = 0; i < n; i++, o += 54) {
            float d = half(s, o + 52);
            for (int t = 0; t < 5; t++) for (int m = 0; m < 32; m++) y[p++] = (float) trit(u8(s, o + m), pow3[t]) * d;
            for (int t = 0; t < 5; t++) for (int m = 0; m < 16; m++) y[p++] = (float) trit(u8(s, o + 32 + m), pow3[t]) * d;
            for (int t = 0; t < 4; t++) for (int j = 0; j < 4; j++) y[p++] = (float) trit(u8(s, o + 48 + j), pow3[t]) * d;
        }
    }

    static void tq2_0(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 66) {
            float d = half(s, o + 64);
            for (int j = 0; j < 64; j += 32) {
                for (int l = 0; l < 4; l++) {
                    for (int m = 0; m < 32; m++) y[p++] = (float) (((u8(s, o + j + m) >> (2 * l)) & 3) - 1) * d;
                }
            }
        }
    }

    static void iq2_xxs(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 66) {
            float d = half(s, o);
            for (int ib = 0; ib < 8; ib++) {
                int q = o + 2 + 8 * ib;
                int aux1 = u32(s, q + 4);
                float db = d * (0.5f + (aux1 >>> 28)) * 0.25f;
                for (int l = 0; l < 4; l++, p += 8) {
                    int g = 8 * u8(s, q + l);
                    int signs = KSIGNS_IQ2XS[(aux1 >>> (7 * l)) & 127];
                    for (int j = 0; j < 8; j++) y[p + j] = db * IQ2XXS[g + j] * sign(signs, j);
                }
            }
        }
    }

    static void iq2_xs(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 74) {
            float d = half(s, o);
            for (int ib = 0; ib < 8; ib++) {
                int sc = u8(s, o + 66 + ib);
                float db0 = d * (0.5f + (sc & 0xf)) * 0.25f;
                float db1 = d * (0.5f + (sc >> 4)) * 0.25f;
                for (int l = 0; l < 4; l++, p += 8) {
                    int q = u16(s, o + 2 + 2 * (4 * ib + l));
                    int g = 8 * (q & 511);
                    int signs = KSIGNS_IQ2XS[q >> 9];
                    float db = l < 2 ? db0 : db1;
                    for (int j = 0; j < 8; j++) y[p + j] = db * IQ2XS[g + j] * sign(signs, j);
                }
            }
        }
    }

    static void iq2_s(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 82) {
            float d = half(s, o);
            int qs = o + 2;
            int signs = o + 2 + 32;
            for (int ib = 0; ib < 8; ib++, qs += 4, signs += 4) {
                int sc = u8(s, o + 74 + ib);
                int qh = u8(s, o + 66 + ib);
                float db0 = d * (0.5f + (sc & 0xf)) * 0.25f;
                float db1 = d * (0.5f + (sc >> 4)) * 0.25f;
                for (int l = 0; l < 4; l++, p += 8) {
                    float dl = l < 2 ? db0 : db1;
                    int g = 8 * (u8(s, qs + l) | ((qh << (8 - 2 * l)) & 0x300));
                    int sg = u8(s, signs + l);
                    for (int j = 0; j < 8; j++) y[p + j] = dl * IQ2S[g + j] * sign(sg, j);
                }
            }
        }
    }

    static void iq3_xxs(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 98) {
            float d = half(s, o);
            int qs = o + 2;
            for (int ib = 0; ib < 8; ib++, qs += 8) {
                int aux = u32(s, o + 2 + 64 + 4 * ib);
                float db = d * (0.5f + (aux >>> 28)) * 0.5f;
                for (int l = 0; l < 4; l++, p += 8) {
                    int signs = KSIGNS_IQ2XS[(aux >>> (7 * l)) & 127];
                    int g1 = 4 * u8(s, qs + 2 * l);
                    int g2 = 4 * u8(s, qs + 2 * l + 1);
                    for (int j = 0; j < 4; j++) {
                        y[p + j] = db * IQ3XXS[g1 + j] * sign(signs, j);
                        y[p + j + 4] = db * IQ3XXS[g2 + j] * sign(signs, j + 4);
                    }
                }
            }
        }
    }

    static void iq3_s(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 110) {
            float d = half(s, o);
            int qs = o + 2;
            int qh = o + 66;
            int signs = o + 74;
            for (int ib = 0; ib < 8; ib += 2) {
                int sc = u8(s, o + 106 + ib / 2);
                float db1 = d * (1 + 2 * (sc & 0xf));
                float db2 = d * (1 + 2 * (sc >> 4));
                for (int part = 0; part < 2; part++) {
                    float db = part == 0 ? db1 : db2;
                    int h = u8(s, qh + part);
                    for (int l = 0; l < 4; l++, p += 8) {
                        int g1 = 4 * (u8(s, qs + 2 * l) | ((h << (8 - 2 * l)) & 256));
                        int g2 = 4 * (u8(s, qs + 2 * l + 1) | ((h << (7 - 2 * l)) & 256));
                        int sg = u8(s, signs + l);
                        for (int j = 0; j < 4; j++) {
                            y[p + j] = db * IQ3S[g1 + j] * sign(sg, j);
                            y[p + j + 4] = db * IQ3S[g2 + j] * sign(sg, j + 4);
                        }
                    }
                    qs += 8;
                    signs += 4;
                }
                qh += 2;
            }
        }
    }

    static void iq1_s(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 50) {
            float d = half(s, o);
            int qs = o + 2;
            for (int ib = 0; ib < 8; ib++, qs += 4) {
                int qh = u16(s, o + 34 + 2 * ib);
                float dl = d * (2 * ((qh >> 12) & 7) + 1);
                float delta = (qh & 0x8000) != 0 ? -IQ1S_DELTA : IQ1S_DELTA;
                for (int l = 0; l < 4; l++, p += 8) {
                    int g = 8 * (u8(s, qs + l) | (((qh >> (3 * l)) & 7) << 8));
                    for (int j = 0; j < 8; j++) y[p + j] = dl * (IQ1S[g + j] + delta);
                }
            }
        }
    }

    static void iq1_m(byte[] s, int o, int n, float[] y, int p) {
        int[] sc = new int[4];
        for (int i = 0; i < n; i++, o += 56) {
            for (int k = 0; k < 4; k++) sc[k] = u16(s, o + 48 + 2 * k);
            int scale = (sc[0] >> 12) | ((sc[1] >> 8) & 0x00f0) | ((sc[2] >> 4) & 0x0f00) | (sc[3] & 0xf000);
            float d = Half.toFloat((short) scale);
            int qs = o;
            int qh = o + 32;
            for (int ib = 0; ib < 8; ib++, qs += 4, qh += 2) {
                float dl1 = d * (2 * ((sc[ib / 2] >> (6 * (ib % 2))) & 0x7) + 1);
                float dl2 = d * (2 * ((sc[ib / 2] >> (6 * (ib % 2) + 3)) & 0x7) + 1);
                int h0 = u8(s, qh);
                int h1 = u8(s, qh + 1);
                int[] idx = {u8(s, qs) | ((h0 << 8) & 0x700), u8(s, qs + 1) | ((h0 << 4) & 0x700),
                    u8(s, qs + 2) | ((h1 << 8) & 0x700), u8(s, qs + 3) | ((h1 << 4) & 0x700)};
                float[] delta = {(h0 & 0x08) != 0 ? -IQ1S_DELTA : IQ1S_DELTA, (h0 & 0x80) != 0 ? -IQ1S_DELTA : IQ1S_DELTA,
                    (h1 & 0x08) != 0 ? -IQ1S_DELTA : IQ1S_DELTA, (h1 & 0x80) != 0 ? -IQ1S_DELTA : IQ1S_DELTA};
                for (int l = 0; l < 4; l++, p += 8) {
                    float dl = l < 2 ? dl1 : dl2;
                    int g = 8 * idx[l];
                    for (int j = 0; j < 8; j++) y[p + j] = dl * (IQ1S[g + j] + delta[l]);
                }
            }
        }
    }

    static void iq4_nl(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 18, p += 32) {
            float d = half(s, o);
            for (int j = 0; j < 16; j++) {
                int q = u8(s, o + 2 + j);
                y[p + j] = d * KVALUES_IQ4NL[q & 0xf];
                y[p + j + 16] = d * KVALUES_IQ4NL[q >> 4];
            }
        }
    }

    static void iq4_xs(byte[] s, int o, int n, float[] y, int p) {
        for (int i = 0; i < n; i++, o += 136) {
            float d = half(s, o);
            int scalesH = u16(s, o + 2);
            int qs = o + 8;
            for (int ib = 0; ib < 8; ib++, p += 32, qs += 16) {
                int ls = ((u8(s, o + 4 + ib / 2) >> (4 * (ib % 2))) & 0xf) | (((scalesH >> (2 * ib)) & 3) << 4);
                float dl = d * (ls - 32);
                for (int j = 0; j < 16; j++) {
                    int q = u8(s, qs + j);
                    y[p + j] = dl * KVALUES_IQ4NL[q & 0xf];
                    y[p + j + 16] = dl * KVALUES_IQ4NL[q >> 4];
                }
            }
        }
    }
}
