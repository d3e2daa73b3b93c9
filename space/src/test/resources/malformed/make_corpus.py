"""Regenerates the malformed-input corpus: every file here must be rejected with InvalidInputException
naming the file (see MalformedCorpusTest). Run in this directory: python3 make_corpus.py"""
import json, os, shutil, struct

def w(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)

# ---- llama2.c checkpoints: header dim, hidden, layers, heads, kv_heads, vocab, seq
def floats(dim, hidden, layers, heads, kv, vocab, seq):
    hs = dim // heads
    n = abs(vocab) * dim + layers * dim * 2 + layers * dim * dim * 2 + 2 * layers * dim * hs * kv
    n += 3 * layers * dim * hidden + dim + seq * hs + (0 if vocab > 0 else abs(vocab) * dim)
    return n

def l2c(hdr, nfloats):
    return struct.pack("<7i", *hdr) + b"\0" * (4 * nfloats)

good = (8, 16, 2, 2, 1, 10, 4)
n = floats(*good)
w("llama2c/empty.bin", b"")
w("llama2c/short-header.bin", struct.pack("<3i", 8, 16, 2))
w("llama2c/truncated.bin", l2c(good, n)[:-5])
w("llama2c/oversized.bin", l2c(good, n) + b"\0" * 8)
w("llama2c/zero-dim.bin", l2c((0, 16, 2, 2, 1, 10, 4), 16))
w("llama2c/negative-layers.bin", l2c((8, 16, -2, 2, 1, 10, 4), 16))
w("llama2c/zero-vocab.bin", l2c((8, 16, 2, 2, 1, 0, 4), 16))
w("llama2c/heads-not-dividing-dim.bin", l2c((8, 16, 2, 3, 1, 10, 4), 16))
w("llama2c/kv-heads-not-dividing-heads.bin", l2c((16, 16, 2, 4, 3, 10, 4), 16))
w("llama2c/odd-head-size.bin", l2c((6, 16, 2, 2, 1, 10, 4), 16))
w("llama2c/terabyte-header.bin", l2c((65536, 1 << 20, 1024, 64, 64, 1 << 22, 1 << 22), 16))
w("llama2c/int-max-dim.bin", l2c((2**31 - 1, 16, 2, 2, 1, 10, 4), 16))
w("llama2c/version2-export.bin", struct.pack("<ii", 0x616b3432, 2) + b"\0" * 248)

# ---- safetensors (opened as files)
def st(header, data=b"", length=None):
    h = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(h) if length is None else length) + h + data

def t(dtype, shape, off):
    return {"dtype": dtype, "shape": shape, "data_offsets": off}

w("safetensors/empty.safetensors", b"")
w("safetensors/header-beyond-file.safetensors", st({}, length=4096))
w("safetensors/header-absurd.safetensors", st({}, length=1 << 45))
w("safetensors/invalid-json.safetensors", st(b'{"a": {"dtype": "F32", '))
w("safetensors/not-an-object.safetensors", st(b"[1, 2, 3]"))
w("safetensors/offsets-beyond-file.safetensors", st({"a": t("F32", [4], [0, 16])}, b"\0" * 8))
w("safetensors/overlapping.safetensors", st({"a": t("F32", [2], [0, 8]), "b": t("F32", [2], [4, 12])}, b"\0" * 12))
w("safetensors/unknown-dtype.safetensors", st({"a": t("Q4", [2], [0, 8])}, b"\0" * 8))
w("safetensors/shape-disagrees.safetensors", st({"a": t("F16", [3], [0, 8])}, b"\0" * 8))
w("safetensors/negative-shape.safetensors", st({"a": t("F32", [-1], [0, 4])}, b"\0" * 4))
w("safetensors/end-before-begin.safetensors", st({"a": t("F32", [0], [8, 4])}, b"\0" * 8))
w("safetensors/duplicate-key.safetensors", st(b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', b"\0" * 4))

# ---- GGUF
def gguf_header(magic=0x46554747, version=3, tensors=0, kvs=0):
    return struct.pack("<IIQQ", magic, version, tensors, kvs)

def gstr(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b

w("gguf/bad-version.gguf", gguf_header(version=7) + b"\0" * 16)
w("gguf/big-endian.gguf", struct.pack("<I", 0x46554747) + struct.pack(">I", 3) + b"\0" * 32)
w("gguf/absurd-tensor-count.gguf", gguf_header(tensors=2**63 - 1))
w("gguf/absurd-kv-count.gguf", gguf_header(kvs=1 << 40))
w("gguf/absurd-string-length.gguf", gguf_header(kvs=1) + struct.pack("<Q", 1 << 50) + b"\0" * 16)
w("gguf/unknown-value-type.gguf", gguf_header(kvs=1) + gstr("general.architecture") + struct.pack("<I", 99) + b"\0" * 8)
w("gguf/truncated-metadata.gguf", gguf_header(kvs=2) + gstr("general.architecture") + struct.pack("<I", 8) + gstr("llama")[:6])
w("gguf/no-architecture.gguf", gguf_header(kvs=1) + gstr("general.name") + struct.pack("<I", 8) + gstr("x") + b"\0" * 16)
w("gguf/unsupported-architecture.gguf", gguf_header(kvs=1) + gstr("general.architecture") + struct.pack("<I", 8) + gstr("phi2") + b"\0" * 16)
w("gguf/bad-n-dims.gguf", gguf_header(tensors=1) + gstr("token_embd.weight") + struct.pack("<I", 9) + b"\0" * 64)
w("gguf/tensor-beyond-file.gguf", gguf_header(tensors=1) + gstr("token_embd.weight") + struct.pack("<IQQIQ", 2, 8, 4, 0, 0) + b"\0" * 8)

# ---- llama2.c tokenizers, loaded with vocab size 4
def tok(entries, max_len=8):
    out = struct.pack("<i", max_len)
    for score, piece in entries:
        out += struct.pack("<fi", score, len(piece)) + piece
    return out

ok = [(0.0, b"<unk>"), (0.0, b"<s>"), (0.0, b"</s>"), (-1.0, b"a")]
w("tokenizer-v4/empty.bin", b"")
w("tokenizer-v4/truncated.bin", tok(ok)[:-3])
w("tokenizer-v4/zero-max-length.bin", tok(ok, max_len=0))
w("tokenizer-v4/negative-token-length.bin", tok(ok[:3]) + struct.pack("<fi", 0.0, -5) + b"\0" * 8)
w("tokenizer-v4/huge-token-length.bin", tok(ok[:3]) + struct.pack("<fi", 0.0, 2**31 - 1) + b"\0" * 8)
w("tokenizer-v4/trailing-bytes.bin", tok(ok) + b"\0" * 12)

# ---- Hugging Face directories (dim 8, 1 layer, 2 heads, 1 kv head, vocab 4, tied)
cfg = {"architectures": ["LlamaForCausalLM"], "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1,
       "num_attention_heads": 2, "num_key_value_heads": 1, "vocab_size": 4, "max_position_embeddings": 16,
       "rms_norm_eps": 1e-5, "tie_word_embeddings": True}
shapes = {"model.embed_tokens.weight": [4, 8], "model.layers.0.input_layernorm.weight": [8],
          "model.layers.0.self_attn.q_proj.weight": [8, 8], "model.layers.0.self_attn.k_proj.weight": [4, 8],
          "model.layers.0.self_attn.v_proj.weight": [4, 8], "model.layers.0.self_attn.o_proj.weight": [8, 8],
          "model.layers.0.post_attention_layernorm.weight": [8], "model.layers.0.mlp.gate_proj.weight": [16, 8],
          "model.layers.0.mlp.up_proj.weight": [16, 8], "model.layers.0.mlp.down_proj.weight": [8, 16],
          "model.norm.weight": [8]}

def weights(skip=()):
    header, off = {}, 0
    for name, shape in shapes.items():
        if name in skip:
            continue
        n = 4
        for d in shape:
            n *= d
        header[name] = t("F32", shape, [off, off + n])
        off += n
    return st(header, b"\0" * off)

def hf(name, config=cfg, skip=(), config_bytes=None, with_weights=True):
    d = "hf/" + name
    shutil.rmtree(d, ignore_errors=True)
    w(d + "/config.json", config_bytes if config_bytes is not None else json.dumps(config).encode())
    if with_weights:
        w(d + "/model.safetensors", weights(skip))

hf("missing-key", skip=("model.layers.0.mlp.up_proj.weight",))
hf("unsupported-architecture", {**cfg, "architectures": ["GPT2LMHeadModel"]})
hf("no-architectures", {k: v for k, v in cfg.items() if k != "architectures"})
hf("no-weights", with_weights=False)
hf("invalid-config-json", config_bytes=b'{"architectures": ["LlamaForCausalLM"], ')
hf("wrong-type", {**cfg, "hidden_size": "8"})
hf("negative-size", {**cfg, "num_hidden_layers": -1})
hf("shape-mismatch", {**cfg, "intermediate_size": 12})
hf("heads-not-dividing", {**cfg, "num_attention_heads": 3})
hf("rope-scaling", {**cfg, "rope_scaling": {"type": "llama3", "factor": 8.0}})
d = "hf/shard-missing"
shutil.rmtree(d, ignore_errors=True)
w(d + "/config.json", json.dumps(cfg).encode())
w(d + "/model.safetensors.index.json", json.dumps({"weight_map": {k: "model-00001-of-00002.safetensors" for k in shapes}}).encode())

# ---- well-formed controls (in ../wellformed): the same generators without the fault must load
w("../wellformed/llama2c-ok.bin", l2c(good, n))
w("../wellformed/tokenizer-v4-ok.bin", tok(ok))
w("../wellformed/hf-ok/config.json", json.dumps(cfg).encode())
w("../wellformed/hf-ok/model.safetensors", weights())
