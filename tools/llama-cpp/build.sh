#!/usr/bin/env bash
# Builds the llama.cpp tools EdgeFront's round-trip tests use (llama-quantize, llama-perplexity, llama-bench,
# llama-convert-llama2c-to-ggml, llama-tokenize, llama-gguf-split) from the llama.cpp source that npm's node-llama-cpp@3.22.1 ships as a git
# bundle, into a cache outside the clone. Idempotent: when the cached binaries exist and their recorded
# checksums and build settings match, it only prints where they are.
#
# Usage: tools/llama-cpp/build.sh            (cache: ${EDGEFRONT_CACHE:-$HOME/.cache/edgefront}/llama.cpp-3.22.1)
# Env:   EDGEFRONT_CACHE   cache root; LLAMA_CPP_JOBS  parallel compile jobs (default 2)
# Last line of stdout: EDGEFRONT_LLAMA_CPP_BIN=<directory holding the four tools>
set -euo pipefail

version=3.22.1
cache_root="${EDGEFRONT_CACHE:-$HOME/.cache/edgefront}"
dir="$cache_root/llama.cpp-$version"
bin="$dir/bin"
stamp="$bin/BUILD-STAMP"
jobs="${LLAMA_CPP_JOBS:-2}"
tools=(llama-quantize llama-perplexity llama-bench llama-convert-llama2c-to-ggml llama-tokenize llama-gguf-split)
# CPU only, Release, static, no tests/server/curl; GGML_NATIVE because the tools run (and llama-bench measures)
# on the machine that built them.
cmake_flags=(-DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=ON
             -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_EXAMPLES=ON -DLLAMA_BUILD_TOOLS=ON
             -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DGGML_OPENCL=OFF -DGGML_BLAS=OFF)
# No AMX: ggml's AMX kernels (picked by GGML_NATIVE on Sapphire Rapids and later) segfault in ggml_backend_amx_mul_mat
# for every quantized model in the VMs this project runs on (seen on a 2-core Xeon slice, 2026-12-06), and no phone
# has AMX, so llama-bench on this host would not measure the kernels a device runs either.
if [ "$(uname -m)" = x86_64 ] && echo | g++ -mno-amx-tile -mno-amx-int8 -mno-amx-bf16 -x c++ -E - >/dev/null 2>&1; then
  cmake_flags+=("-DCMAKE_C_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16" "-DCMAKE_CXX_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16")
fi
settings="node-llama-cpp@$version ${cmake_flags[*]} targets=${tools[*]}"

stamp_ok() {
  [ -f "$stamp" ] || return 1
  [ "$(head -n1 "$stamp")" = "$settings" ] || return 1
  (cd "$bin" && tail -n +2 "$stamp" | sha256sum --quiet -c -) >/dev/null 2>&1
}

mkdir -p "$dir"
# One build at a time per cache (other checkouts on this machine share it).
exec 9>"$dir/.lock"
flock 9

if stamp_ok; then
  echo "llama.cpp tools up to date in $bin" >&2
  echo "EDGEFRONT_LLAMA_CPP_BIN=$bin"
  exit 0
fi

for cmd in npm git cmake g++ tar flock sha256sum; do
  command -v "$cmd" >/dev/null 2>&1 || { echo "build.sh: '$cmd' is required but not installed" >&2; exit 2; }
done

if [ ! -f "$dir/package/llama/gitRelease.bundle" ]; then
  echo "fetching node-llama-cpp@$version from npm" >&2
  rm -rf "$dir/package" "$dir"/node-llama-cpp-*.tgz
  (cd "$dir" && npm pack --silent "node-llama-cpp@$version" >/dev/null)
  tar -xzf "$dir/node-llama-cpp-$version.tgz" -C "$dir"
fi
if [ ! -d "$dir/src/.git" ]; then
  rm -rf "$dir/src"
  git -c advice.detachedHead=false clone --quiet "$dir/package/llama/gitRelease.bundle" "$dir/src"
fi
commit="$(git -C "$dir/src" rev-parse HEAD)"
echo "configuring llama.cpp $commit" >&2
cmake -S "$dir/src" -B "$dir/build" "${cmake_flags[@]}" >"$dir/cmake-configure.log" 2>&1 \
  || { echo "build.sh: cmake configure failed, see $dir/cmake-configure.log" >&2; exit 1; }
echo "building ${tools[*]} with -j$jobs (about 10 minutes on 2 cores; log: $dir/cmake-build.log)" >&2
cmake --build "$dir/build" --config Release -j "$jobs" --target "${tools[@]}" >"$dir/cmake-build.log" 2>&1 \
  || { echo "build.sh: build failed, see $dir/cmake-build.log" >&2; tail -n 30 "$dir/cmake-build.log" >&2; exit 1; }

# Publish atomically: copy into a fresh directory, write the stamp last, then swap it in.
tmp="$(mktemp -d "$dir/bin.XXXXXX")"
chmod 755 "$tmp"
for t in "${tools[@]}"; do
  src="$(find "$dir/build" -type f -name "$t" -perm -u+x | head -n1)"
  [ -n "$src" ] || { echo "build.sh: $t was not built" >&2; exit 1; }
  cp "$src" "$tmp/$t"
done
{ echo "$settings"; (cd "$tmp" && sha256sum "${tools[@]}"); } >"$tmp/BUILD-STAMP.tmp"
echo "$commit" >"$tmp/LLAMA_CPP_COMMIT"
mv "$tmp/BUILD-STAMP.tmp" "$tmp/BUILD-STAMP"
rm -rf "$bin"
mv "$tmp" "$bin"
stamp_ok || { echo "build.sh: stamp check failed after build" >&2; exit 1; }
echo "llama.cpp tools built in $bin" >&2
echo "EDGEFRONT_LLAMA_CPP_BIN=$bin"
