#!/usr/bin/env bash
# Paired whole-process timing, the protocol behind BENCHMARKS.md's "A/B pairs" figures: command A and the baseline B
# run in turn (A B A B ...) after WARMUP unmeasured runs of each, every run timed from outside by GNU time (wall,
# user and system seconds, peak RSS of the largest process), and the ratio A/B taken pair by pair, so that a machine
# whose speed drifts during the call still gives a meaningful ratio. Prints each figure's min, median and max per
# command and the median of the pair ratios; quote medians. Output of the commands is discarded (redirect inside
# sh -c '...' to keep it).
#
# Usage: tools/ab-runs.sh [-n RUNS] [--warmup W] [--timeout S] [--vs 'COMMAND_B'] -- COMMAND_A [ARG ...]
#   -n RUNS      measured runs of each command (default 3)
#   --warmup W   unmeasured runs of each command first (default 1)
#   --timeout S  start no further run once S seconds have passed (the runs so far are reported)
#   --vs 'B'     the baseline, one string split as the shell splits words (use sh -c '...' for pipes)
# Needs GNU time (/usr/bin/time, Debian package "time") and python3.
set -euo pipefail
runs=3; warmup=1; vs=""; limit=0
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --vs) vs="$2"; shift 2 ;;
    --timeout) limit="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "ab-runs.sh: unknown option '$1' (usage: tools/ab-runs.sh [-n RUNS] [--warmup W] [--vs 'B'] -- A ...)" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "ab-runs.sh: no command A after --" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ && "$warmup" =~ ^[0-9]+$ && "$limit" =~ ^[0-9]+$ ]] || { echo "ab-runs.sh: -n, --warmup and --timeout take whole numbers" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "ab-runs.sh: needs GNU time at /usr/bin/time" >&2; exit 2; }
log="$(mktemp)"; trap 'rm -f "$log"' EXIT
# one measured (or warm-up) run: appends "LABEL wall user sys rss_kib exit" to the log
one() {
  local label="$1"; shift
  local t; t="$(mktemp)"
  set +e
  /usr/bin/time -o "$t" -f "%e %U %S %M %x" "$@" </dev/null >/dev/null 2>&1
  set -e
  [ "$label" = warmup ] || echo "$label $(tail -n 1 "$t")" >> "$log"
  rm -f "$t"
}
# split B as a shell splits words (quotes kept together), as COMMAND_A arrives already split
eval "b_cmd=($vs)"
for ((i = 0; i < warmup; i++)); do
  one warmup "$@"
  [ -z "$vs" ] || one warmup "${b_cmd[@]}"
done
for ((i = 0; i < runs; i++)); do
  if [ "$limit" -gt 0 ] && [ "$SECONDS" -ge "$limit" ]; then echo "ab-runs.sh: --timeout $limit reached after $i pairs" >&2; break; fi
  one A "$@"
  [ -z "$vs" ] || one B "${b_cmd[@]}"
done
python3 - "$log" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
if not any(r[0] == "A" for r in rows):
    sys.exit("ab-runs.sh: no measured run")
def fig(label):
    rs = [r for r in rows if r[0] == label]
    if not rs: return None
    cols = {"wall s": 1, "user s": 2, "sys s": 3, "peak MiB": 4}
    out = []
    for name, i in cols.items():
        v = [float(r[i]) / (1024 if name == "peak MiB" else 1) for r in rs]
        out.append(f"{name} {min(v):.2f} / {statistics.median(v):.2f} / {max(v):.2f}")
    codes = sorted({r[5] for r in rs})
    return f"{label}: {len(rs)} runs, min / median / max: " + ", ".join(out) + f"; exit codes {','.join(codes)}", [float(r[1]) for r in rs], [float(r[2]) for r in rs]
a, b = fig("A"), fig("B")
print(a[0])
if b:
    print(b[0])
    wall = [x / y for x, y in zip(a[1], b[1]) if y > 0] or [float("nan")]
    user = [x / y for x, y in zip(a[2], b[2]) if y > 0]
    print("A/B pair by pair: wall " + ", ".join(f"{r:.3f}" for r in wall) + f" (median {statistics.median(wall):.3f})"
          + (f"; user median {statistics.median(user):.3f}" if user else ""))
PY
