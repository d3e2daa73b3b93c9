#!/usr/bin/env python3
"""Checks EdgeFront's Hugging Face tokenizer against the reference tokenizers library.

Usage: pip install tokenizers; bin/edgefront tokenize --tokenizer T.json --text F --paragraphs N --json > ids.json
       python3 tools/check-hf-tokenizer.py T.json ids.json
Prints how many paragraphs encode to exactly the reference ids (add_special_tokens=False) and the first mismatch;
exits 1 on any mismatch.
"""
import json
import sys

from tokenizers import Tokenizer


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    reference = Tokenizer.from_file(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        ours = json.load(f)
    same, first = 0, None
    for p in ours["paragraphs"]:
        ref = reference.encode(p["text"], add_special_tokens=False).ids
        if ref == p["ids"]:
            same += 1
        elif first is None:
            k = next((i for i, (a, b) in enumerate(zip(ref, p["ids"])) if a != b), min(len(ref), len(p["ids"])))
            first = {"text": p["text"][:160], "at": k, "reference": ref[max(0, k - 3):k + 5], "edgefront": p["ids"][max(0, k - 3):k + 5]}
    n = len(ours["paragraphs"])
    print(json.dumps({"paragraphs": n, "identical": same, "tokens": ours["tokens"], "first_mismatch": first}))
    return 0 if same == n else 1


if __name__ == "__main__":
    sys.exit(main())
