#!/usr/bin/env bash
# Builds llama-cpp-python's wheel for distribution, never for the build machine.
#
# llama-cpp-python is sdist-only on PyPI and builds with ggml's native default (-march=native): a wheel built on
# one CPU crashes on another (SIGSEGV on an AVX-512/AMX Xeon, SIGILL on an AVX2-only CPU). Here ggml is built as
# llama.cpp's own release builds are: GGML_NATIVE=OFF, the CPU backend as loadable variants (GGML_BACKEND_DL), each
# compiled for one instruction-set level; at run time ggml scores them against the CPU (cpuid) and loads the best
# (aiwisper/summaries/llama_backends.py calls ggml_backend_load_all_from_path on the wheel's lib folder).
#
# Variants kept (ggml's list, cut to five to keep the build short): x64 (SSE2, any x86-64), sse42 (Nehalem),
# sandybridge (AVX), haswell (AVX2/FMA/F16C/BMI2), skylakex (AVX-512). The AMX variant is left out: AMX code is
# what the native build ran on the Xeon that crashed.
#
# usage: build/llama-wheel.sh PYTHON WHEEL_DIR
set -euo pipefail
py=$1
out=$2
version=0.3.36
keep="x64 sse42 sandybridge haswell skylakex"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$py" -m pip download --quiet --no-deps --no-binary :all: -d "$work" "llama-cpp-python==$version"
tar -xzf "$work/llama_cpp_python-$version.tar.gz" -C "$work"
src="$work/llama_cpp_python-$version"

# Only the kept x86 variants are compiled.
"$py" - "$src/vendor/llama.cpp/ggml/src/CMakeLists.txt" "$keep" <<'EOF'
import re, sys
path, keep = sys.argv[1], set(sys.argv[2].split())
x86 = {"x64", "sse42", "sandybridge", "ivybridge", "piledriver", "haswell", "skylakex", "cannonlake",
       "cascadelake", "icelake", "cooperlake", "zen4", "alderlake", "sapphirerapids"}
text = open(path).read()
seen = set()
def cut(m):
    seen.add(m.group(1))
    return m.group(0) if m.group(1) in keep else "# (left out by aiwisper) " + m.group(0)
text = re.sub(r"^[ \t]*ggml_add_cpu_backend_variant\((\w+)[^\n]*$",
              lambda m: cut(m) if m.group(1) in x86 else m.group(0), text, flags=re.M)
missing = keep - seen
if missing:
    sys.exit(f"ggml's CMakeLists has no variant {sorted(missing)}: update build/llama-wheel.sh")
open(path, "w").write(text)
EOF

# llama-cpp-python installs only the targets it names: name the variants too.
for v in $keep; do
  echo "llama_cpp_python_install_target(ggml-cpu-$v)" >>"$src/CMakeLists.txt"
done

mkdir -p "$out"
CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF" \
  CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
  "$py" -m pip wheel --quiet --no-deps -w "$out" "$src"
for v in $keep; do
  unzip -l "$out"/llama_cpp_python-$version-*.whl | grep -q "llama_cpp/lib/libggml-cpu-$v.so" \
    || { echo "the wheel has no libggml-cpu-$v.so" >&2; rm -f "$out"/llama_cpp_python-$version-*.whl; exit 1; }
done
