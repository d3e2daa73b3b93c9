#!/usr/bin/env bash
# This host as a device: llama-bench -t 2 on GGUFs that EdgeFront writes itself (export --to gguf) for its synthetic
# real-shape models, validated like any published row. The host profile is measured once, before the runs
# (calibrate-host --profile-only --write-profile: /proc, sysfs, the measured clock and read-stream bandwidths) and again
# after them (to show how far the machine drifted); every llama-bench result becomes one row of a measurements CSV
# (the columns of ../shared/measurements/on-device-measurements.csv, device "host"), and validate-simulator predicts
# the rows on that profile with the shipped calibrations, and leave-one-model-out with a calibration of this host
# fitted on the other model's rows. Each run also gets a profile of its own, measured just before it (WORKDIR/each/,
# device "host@MODEL-FORMAT", rows in host-each.csv), and the rows are predicted on those too, because this shared
# host's read rate drifts by tens of percent within minutes. Takes minutes (tinyllama1b F16 is 2.2 GB); run on an otherwise idle machine.
#
# Usage: tools/llama-cpp/bench-host.sh [WORKDIR]   (GGUFs, devices/host.yaml and host.csv go to WORKDIR,
#                                                    default ${TMPDIR:-/tmp}/edgefront-bench-host)
# Env:   MODELS (default "smollm135m tinyllama1b"), FORMATS (default "F16 Q8_0 Q4_0 Q4_K Q6_K"), PROMPT (512), GEN (128), REPS (5): llama-bench's pp512/tg128, as published rows
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-${TMPDIR:-/tmp}/edgefront-bench-host}"
models="${MODELS:-smollm135m tinyllama1b}"
formats="${FORMATS:-F16 Q8_0 Q4_0 Q4_K Q6_K}"
prompt="${PROMPT:-512}"; gen="${GEN:-128}"; reps="${REPS:-5}"
ef="${EDGEFRONT:-$root/bin/edgefront}"
bin_line="$("$root/tools/llama-cpp/build.sh" | tail -n 1)"
bin="${bin_line#EDGEFRONT_LLAMA_CPP_BIN=}"
mkdir -p "$work/devices"
for m in $models; do
  for f in $formats; do
    gguf="$work/$m-$f.gguf"
    [ -f "$gguf" ] || "$ef" export --model "synthetic:$m" --format "$f" --to gguf --out "$gguf" >/dev/null
  done
done
"$ef" calibrate-host --profile-only --write-profile "$work/devices/host.yaml" >/dev/null
csv="$work/host.csv.tmp"; csv_each="$work/host-each.csv.tmp"
rm -rf "$work/each"; mkdir -p "$work/each"
for c in "$csv" "$csv_each"; do
  echo "source,source_locator,device,soc,ram_gb,engine,backend,threads,model,params_b,weight_format,avg_bits_per_weight,prompt_tokens,decode_tok_s,prefill_tok_s,energy_j_per_token,power_w,peak_mem_gb,notes" > "$c"
done
for m in $models; do
  case "$m" in
    smollm135m) name="SmolLM2-135M"; params=0.135 ;;
    tinyllama1b) name="TinyLlama-1.1B"; params=1.1 ;;
    *) echo "bench-host.sh: no catalog name for synthetic:$m" >&2; exit 2 ;;
  esac
  for f in $formats; do
    gguf="$work/$m-$f.gguf"
    # this run's own profile, measured just before it: the shared host's read rate drifts by tens of percent in minutes
    dev="host@$m-$f"
    "$ef" calibrate-host --profile-only --write-profile "$work/each/$dev.yaml" >/dev/null
    sed -i "s/^name: \"host\"$/name: \"$dev\"/" "$work/each/$dev.yaml"
    meas="$("$bin/llama-bench" -m "$gguf" -t 2 -p "$prompt" -n "$gen" -r "$reps" -o json 2>/dev/null)"
    python3 - "$name" "$params" "$f" "$prompt" "$gguf" "$meas" "$dev" "$csv" "$csv_each" <<'PY'
import json, sys
name, params, f, prompt, gguf, meas, dev, csv, csv_each = sys.argv[1:10]
rows = json.loads(meas)
tg = next(r["avg_ts"] for r in rows if r["n_gen"] > 0)
pp = next(r["avg_ts"] for r in rows if r["n_prompt"] > 0)
for path, device in ((csv, "host"), (csv_each, dev)):
    with open(path, "a") as out:
        print(f"llama-bench -t 2 on this host,{gguf.split('/')[-1]},{device},,,llama.cpp (llama-bench),CPU,2,{name},{params},{f},,{prompt},{tg:.3f},{pp:.3f},,,,synthetic weights of the model's shape written by edgefront export --to gguf", file=out)
PY
  done
done
mv "$csv" "$work/host.csv"
mv "$csv_each" "$work/host-each.csv"
"$ef" calibrate-host --profile-only --json | python3 -c '
import json, sys
h = json.load(sys.stdin)["host"]
print("after the runs: clock %.2f GHz, read stream %.1f GB/s one core, %.1f GB/s all cores" % (h["max_ghz"], h["stream_read_one_core_bytes_per_s"] / 1e9, h["stream_read_all_cores_bytes_per_s"] / 1e9))'
echo "before the runs (the profile used): $(sed -n '1,2p' "$work/devices/host.yaml" | sed 's/^# //' | tr '\n' ' ')"
"$ef" validate-simulator --measurements "$work/host.csv" --devices "$work/devices" --leave-one-model-out
echo "each run on the profile measured just before it ($work/each):"
"$ef" validate-simulator --measurements "$work/host-each.csv" --devices "$work/each"
