#!/usr/bin/env python3
"""Transcribes the codebook tables of llama.cpp's quantization formats (format data, not code) from
ggml/src/ggml-common.h into EdgeFront's resource space/src/main/resources/org/edgefront/space/ggml/ggml-tables.txt.

Usage: tools/ggml-tables.py LLAMA_CPP_SOURCE_DIR REVISION > space/src/main/resources/org/edgefront/space/ggml/ggml-tables.txt
Each table: a line 'table NAME COUNT' then COUNT integers (decimal or 0x hex), whitespace separated."""
import re
import sys

TABLES = ["kvalues_iq4nl", "ksigns_iq2xs", "iq2xxs_grid", "iq2xs_grid", "iq2s_grid", "iq3xxs_grid", "iq3s_grid",
          "iq1s_grid", "kvalues_fp4"]

src = open(sys.argv[1] + "/ggml/src/ggml-common.h", encoding="utf-8").read()
print("# Codebooks of llama.cpp's quantization formats, transcribed by tools/ggml-tables.py from")
print("# ggml/src/ggml-common.h of llama.cpp revision " + sys.argv[2] + " (MIT licence).")
print("# Format data: a decoder cannot read these formats without them.")
for name in TABLES:
    m = re.search(r"GGML_TABLE_BEGIN\(\s*\w+\s*,\s*" + name + r"\s*,\s*(\w+)\s*\)(.*?)GGML_TABLE_END\(\)", src, re.S)
    if not m:
        sys.exit("table " + name + " not found")
    values = [v for v in re.split(r"[\s,]+", m.group(2)) if v]
    size = m.group(1)
    if size.isdigit() and int(size) != len(values):
        sys.exit(name + ": " + str(len(values)) + " values, declared " + size)
    print("table %s %d" % (name, len(values)))
    for i in range(0, len(values), 8):
        print(" ".join(values[i:i + 8]))
