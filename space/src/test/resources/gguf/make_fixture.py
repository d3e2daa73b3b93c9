"""Generates tiny-llama.gguf and tiny-llama.expected.json with the reference `gguf` Python package
(llama.cpp's gguf-py), so the Java reader is checked against an independent writer and dequantizer.
Run: pip install gguf numpy; python3 make_fixture.py (in this directory)."""
import json
import numpy as np
import gguf
from gguf import GGMLQuantizationType as T, quants

dim, hidden, layers, heads, kv_heads, vocab, ctx = 32, 64, 2, 4, 2, 40, 16
rng = np.random.default_rng(0)
kv_dim = dim // heads * kv_heads

def mat(rows, cols):
    return (rng.standard_normal((rows, cols)) * 0.1).astype(np.float32)

tensors = [("token_embd.weight", mat(vocab, dim), T.F16)]
for l in range(layers):
    p = f"blk.{l}."
    tensors += [
        (p + "attn_norm.weight", (1 + 0.1 * rng.standard_normal(dim)).astype(np.float32), T.F32),
        (p + "attn_q.weight", mat(dim, dim), T.Q8_0),
        (p + "attn_k.weight", mat(kv_dim, dim), T.Q4_0),
        (p + "attn_v.weight", mat(kv_dim, dim), T.BF16),
        (p + "attn_output.weight", mat(dim, dim), T.F32),
        (p + "ffn_norm.weight", (1 + 0.1 * rng.standard_normal(dim)).astype(np.float32), T.F32),
        (p + "ffn_gate.weight", mat(hidden, dim), T.Q8_0),
        (p + "ffn_up.weight", mat(hidden, dim), T.Q4_0),
        (p + "ffn_down.weight", mat(dim, hidden), T.Q8_0),
    ]
tensors += [("output_norm.weight", np.ones(dim, np.float32), T.F32), ("output.weight", mat(vocab, dim), T.Q8_0)]

w = gguf.GGUFWriter("tiny-llama.gguf", "llama")
w.add_name("tiny-gguf")
w.add_context_length(ctx)
w.add_embedding_length(dim)
w.add_feed_forward_length(hidden)
w.add_block_count(layers)
w.add_head_count(heads)
w.add_head_count_kv(kv_heads)
w.add_layer_norm_rms_eps(1e-5)
w.add_rope_freq_base(10000.0)
w.add_tokenizer_model("llama")
w.add_token_list([f"t{i}" for i in range(vocab)])
w.add_token_scores([float(-i) for i in range(vocab)])
expected = {}
for name, data, qtype in tensors:
    if qtype == T.F32:
        raw = data
    elif qtype == T.F16:
        raw = data.astype(np.float16)
    else:
        raw = quants.quantize(data, qtype)
    w.add_tensor(name, raw, raw_dtype=qtype if qtype not in (T.F32, T.F16) else None)
    deq = data if qtype == T.F32 else (raw.astype(np.float32) if qtype == T.F16 else quants.dequantize(raw, qtype))
    flat = deq.reshape(-1).astype(np.float32)
    expected[name] = {"type": qtype.name, "count": int(flat.size), "sum": float(flat.astype(np.float64).sum()),
                      "first": [float(x) for x in flat[:8]], "at37": float(flat[37 % flat.size])}
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
with open("tiny-llama.expected.json", "w") as f:
    json.dump(expected, f, indent=1)

# ---- tiny Qwen2: q/k rows (and biases) stored in Hugging Face rotate-half order, as llama.cpp keeps them
# for NEOX RoPE; the reader must return them in interleaved-pair order (the `expected` values).
def to_hf(m, n_heads):
    rows = m.shape[0]
    hd = rows // n_heads
    return m.reshape(n_heads, hd // 2, 2, *m.shape[1:]).swapaxes(1, 2).reshape(m.shape)

q_layers = 1
tensors = [("token_embd.weight", mat(vocab, dim), None)]
for l in range(q_layers):
    p = f"blk.{l}."
    tensors += [
        (p + "attn_norm.weight", (1 + 0.1 * rng.standard_normal(dim)).astype(np.float32), None),
        (p + "attn_q.weight", mat(dim, dim), heads),
        (p + "attn_q.bias", (0.5 * rng.standard_normal(dim)).astype(np.float32), heads),
        (p + "attn_k.weight", mat(kv_dim, dim), kv_heads),
        (p + "attn_k.bias", (0.5 * rng.standard_normal(kv_dim)).astype(np.float32), kv_heads),
        (p + "attn_v.weight", mat(kv_dim, dim), None),
        (p + "attn_v.bias", (0.1 * rng.standard_normal(kv_dim)).astype(np.float32), None),
        (p + "attn_output.weight", mat(dim, dim), None),
        (p + "ffn_norm.weight", (1 + 0.1 * rng.standard_normal(dim)).astype(np.float32), None),
        (p + "ffn_gate.weight", mat(hidden, dim), None),
        (p + "ffn_up.weight", mat(hidden, dim), None),
        (p + "ffn_down.weight", mat(dim, hidden), None),
    ]
tensors += [("output_norm.weight", np.ones(dim, np.float32), None)]
w = gguf.GGUFWriter("tiny-qwen2.gguf", "qwen2")
w.add_context_length(ctx)
w.add_embedding_length(dim)
w.add_feed_forward_length(hidden)
w.add_block_count(q_layers)
w.add_head_count(heads)
w.add_head_count_kv(kv_heads)
w.add_layer_norm_rms_eps(1e-6)
w.add_rope_freq_base(1000000.0)
expected = {}
for name, data, rope_heads in tensors:
    w.add_tensor(name, to_hf(data, rope_heads) if rope_heads else data)
    flat = data.reshape(-1)
    expected[name] = {"type": "F32", "count": int(flat.size), "sum": float(flat.astype(np.float64).sum()),
                      "first": [float(x) for x in flat[:8]], "at37": float(flat[37 % flat.size])}
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
with open("tiny-qwen2.expected.json", "w") as f:
    json.dump(expected, f, indent=1)
