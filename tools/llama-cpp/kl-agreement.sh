#!/usr/bin/env bash
# KL agreement: for every front point of a finished search on a llama2.c model, EdgeFront's measured KL to the
# unquantized model (edgefront eval --config) beside llama.cpp's (llama-perplexity --kl-divergence against the F32
# GGUF's logits) on the same tokens: EdgeFront scores the windows of llama-perplexity's base file as llama-perplexity
# does (eval --kld-base), with the Spearman rank correlation and the ratio where KL >= 1e-3.
# Both GGUFs are written by EdgeFront itself (export --to gguf); llama.cpp computes the logits.
#
# Usage: tools/llama-cpp/kl-agreement.sh RUN_DIR [PARAGRAPHS] [CTX]   (defaults 200 paragraphs, llama-perplexity -c 128)
# Env:   EVERY=N measures every N-th front point in KL order (default 1: all)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
run="$1"; paragraphs="${2:-200}"; ctx="${3:-128}"
ef="${EDGEFRONT:-$root/bin/edgefront}"
bin_line="$("$root/tools/llama-cpp/build.sh" | tail -n 1)"
bin="${bin_line#EDGEFRONT_LLAMA_CPP_BIN=}"
work="$(mktemp -d "${TMPDIR:-/tmp}/edgefront-kl.XXXXXX")"
read -r model tokenizer text < <(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["model"]; print(m["source"], m["tokenizer"], m["text"])' "$run/spec.json")
# the text llama-perplexity reads: the run's first N paragraphs (blank-line separated), as EdgeFront splits them
python3 - "$text" "$paragraphs" "$work/text.txt" <<'PY'
import re, sys
paras = [p.strip() for p in re.split(r"\n\s*\n", open(sys.argv[1], encoding="utf-8").read()) if p.strip()][: int(sys.argv[2])]
open(sys.argv[3], "w", encoding="utf-8").write("\n\n".join(paras) + "\n")
PY
# llama-perplexity's mean KLD: its summary line, or, when its logger thread dropped the last lines at exit (it does,
# now and then), the running mean of the last chunk row if that row is the last chunk; fails otherwise
mean_kld() {
  python3 - "$1" <<'PY'
import re, sys
log = open(sys.argv[1], encoding="utf-8", errors="replace").read()
m = re.search(r"^Mean +KLD: +(\S+)", log, re.M)
if m:
    print(m.group(1)); sys.exit(0)
total = re.search(r"computing over (\d+) chunks", log)
rows = re.findall(r"^ *(\d+) +\S+ ± +\S+ +\S+ ± +\S+ +(\S+) ± ", log, re.M)
if total and rows and int(rows[-1][0]) == int(total.group(1)):
    print(rows[-1][1]); sys.exit(0)
sys.exit(1)
PY
}
"$ef" export --model "$model" --tokenizer "$tokenizer" --format F32 --to gguf --out "$work/base.gguf" >/dev/null
"$bin/llama-perplexity" -m "$work/base.gguf" -f "$work/text.txt" -c "$ctx" -t 2 --kl-divergence-base "$work/base.kld" >"$work/base.log" 2>&1
ids="$(python3 -c 'import json,sys; p=sorted(json.load(open(sys.argv[1]))["points"], key=lambda q: q["metrics"]["kl"]); print(" ".join(q["id"] for q in p[::int(sys.argv[2])]))' "$run/front.json" "${EVERY:-1}")"
: >"$work/rows.txt"
for id in $ids; do
  "$ef" export "$run" --point "$id" --to yaml --out "$work/$id.yaml" >/dev/null
  "$ef" export "$run" --point "$id" --to gguf --out "$work/$id.gguf" >/dev/null
  # EdgeFront scores the very windows llama-perplexity scores (the base file's tokens, the second half of each)
  ekl="$("$ef" eval --model "$model" --tokenizer "$tokenizer" --kld-base "$work/base.kld" \
    --config "$work/$id.yaml" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["kl"])')"
  lkl=""
  for attempt in 1 2 3; do
    "$bin/llama-perplexity" -m "$work/$id.gguf" -f "$work/text.txt" -c "$ctx" -t 2 --kl-divergence-base "$work/base.kld" \
      --kl-divergence >"$work/$id.log" 2>&1
    lkl="$(mean_kld "$work/$id.log")" && break
    lkl=""
  done
  [ -n "$lkl" ] || { echo "kl-agreement.sh: no mean KLD in $work/$id.log after 3 runs" >&2; exit 1; }
  echo "$id $ekl $lkl" >>"$work/rows.txt"
done
python3 - "$work/rows.txt" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
e = [float(r[1]) for r in rows]; l = [float(r[2]) for r in rows]
def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i]); r = [0.0] * len(v); i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]: j += 1
        for k in range(i, j + 1): r[order[k]] = (i + j) / 2
        i = j + 1
    return r
re_, rl = ranks(e), ranks(l); n = len(rows); me = sum(re_) / n; ml = sum(rl) / n
cov = sum((a - me) * (b - ml) for a, b in zip(re_, rl)); sd = (sum((a - me) ** 2 for a in re_) * sum((b - ml) ** 2 for b in rl)) ** 0.5
print("%-18s %14s %14s %8s" % ("point", "edgefront_kl", "llama.cpp_kld", "ratio"))
worst = 0.0
for (i, a, b) in zip([r[0] for r in rows], e, l):
    ratio = a / b if b > 0 else float("nan")
    if b >= 1e-3: worst = max(worst, abs(ratio - 1))
    print("%-18s %14.6g %14.6g %8.3f%s" % (i, a, b, ratio, "" if b >= 1e-3 else "  (KL < 1e-3)"))
print("points %d, spearman %.4f, largest |ratio - 1| where KL >= 1e-3: %.1f%%" % (n, cov / sd if sd else float("nan"), 100 * worst))
PY
echo "work files: $work"
