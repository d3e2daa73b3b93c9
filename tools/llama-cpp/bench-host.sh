#!/usr/bin/env bash
# This host as a device: llama-bench -t 2 on GGUFs that EdgeFront writes itself (export --to gguf) for its
# synthetic real-shape models, beside the simulator's prediction for this host's profile (simulate --device host,
# the profile calibrate-host builds: /proc, sysfs, measured bandwidth). Prints one line per model x format and the
# decode/prefill error of the prediction. Takes minutes (tinyllama1b F16 is 2.2 GB); run on an otherwise idle machine.
#
# Usage: tools/llama-cpp/bench-host.sh [WORKDIR]      (GGUFs go to WORKDIR, default ${TMPDIR:-/tmp}/edgefront-bench-host)
# Env:   MODELS (default "smollm135m tinyllama1b"), FORMATS (default "F16 Q8_0 Q4_0 Q4_K Q6_K"), PROMPT (64), GEN (32), REPS (3)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-${TMPDIR:-/tmp}/edgefront-bench-host}"
models="${MODELS:-smollm135m tinyllama1b}"
formats="${FORMATS:-F16 Q8_0 Q4_0 Q4_K Q6_K}"
prompt="${PROMPT:-64}"; gen="${GEN:-32}"; reps="${REPS:-3}"
bin_line="$("$root/tools/llama-cpp/build.sh" | tail -n 1)"
bin="${bin_line#EDGEFRONT_LLAMA_CPP_BIN=}"
mkdir -p "$work"
printf '%-12s %-5s %12s %12s %7s %12s %12s %7s\n' model format decode_meas decode_pred err% prefill_meas prefill_pred err%
for m in $models; do
  for f in $formats; do
    gguf="$work/$m-$f.gguf"
    [ -f "$gguf" ] || "${EDGEFRONT:-$root/bin/edgefront}" export --model "synthetic:$m" --format "$f" --to gguf --out "$gguf" >/dev/null
    meas="$("$bin/llama-bench" -m "$gguf" -t 2 -p "$prompt" -n "$gen" -r "$reps" -o json 2>/dev/null)"
    pred="$("${EDGEFRONT:-$root/bin/edgefront}" simulate --model "synthetic:$m" --device host --format "$f" --threads 2 \
      --prompt "$prompt" --generate "$gen" --json 2>/dev/null)"
    python3 - "$m" "$f" "$meas" "$pred" <<'PY'
import json, sys
m, f, meas, pred = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
tg = next(r["avg_ts"] for r in meas if r["n_gen"] > 0)
pp = next(r["avg_ts"] for r in meas if r["n_prompt"] > 0)
dp, pr = pred["decode_tok_s"], pred["prefill_tok_s"]
print("%-12s %-5s %12.2f %12.2f %+7.1f %12.2f %12.2f %+7.1f" % (m, f, tg, dp, 100 * (dp - tg) / tg, pp, pr, 100 * (pr - pp) / pp))
PY
  done
done
