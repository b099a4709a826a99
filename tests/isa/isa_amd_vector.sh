#!/usr/bin/env bash
# ISA check of aaco's AMD vector-FMA peak kernels (kernels/amd/detail/vector_kernel.hpp).
#
# Compiles vector_peak_kernel<P> for fp32, fp64 and fp16 with hipcc (gfx908, gfx90a, gfx940)
# and with clang-19 (gfx942, device only), both with -ffp-contract=off so that only the
# kernel's own fusion (builtins / #pragma clang fp contract) can produce FMAs. Per arch and
# precision it requires, inside a loop (a block label and a branch back to it):
#   fp32: v_pk_fma_f32 on gfx90a/gfx94x (packed fp32); v_fma_f32 or v_fmac_f32 on gfx908
#   fp64: v_fma_f64      fp16: v_pk_fma_f16
# accumulators x unroll = 64 times, no memory instruction in the loop, and no scratch.
#
# Environment (tests/CMakeLists.txt sets them): AACO_SOURCE_DIR, AACO_ISA_WORKDIR, HIPCC,
# CLANG19. Exit 0 = pass, 77 = skip (no compiler), anything else = fail.
set -u

src=${AACO_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=${AACO_ISA_WORKDIR:-$(mktemp -d)}
hipcc=${HIPCC:-}
clang19=${CLANG19:-}
case "$hipcc" in *NOTFOUND*) hipcc="" ;; esac
case "$clang19" in *NOTFOUND*) clang19="" ;; esac
if [ -z "$hipcc" ] && [ -z "$clang19" ]; then
    echo "SKIP: neither HIPCC nor CLANG19 is set"
    exit 77
fi
mkdir -p "$work" && cd "$work" || exit 2

# precision enum values (model/precision.hpp): fp64 0, fp32 1, fp16 3
precisions="fp64:0 fp32:1 fp16:3"
per_loop=64   # vector_peak_config::accumulators x unroll

# expected <arch> <precision> -> space-separated accepted mnemonics (their loop counts add up)
expected() {
    case "$1:$2" in
    gfx908:fp32) echo "v_fma_f32 v_fmac_f32" ;;
    *:fp32) echo "v_pk_fma_f32" ;;
    *:fp64) echo "v_fma_f64" ;;
    *:fp16) echo "v_pk_fma_f16" ;;
    esac
}

cat > tu.cpp <<'EOF'
#include <aaco/kernels/amd/detail/vector_kernel.hpp>
namespace k = aaco::kernels::amd;
using aaco::precision;
// Taking each kernel's address instantiates it for every device pass.
void* aaco_isa_vector_kernels[] = {
    reinterpret_cast<void*>(&k::vector_peak_kernel<precision::fp64>),
    reinterpret_cast<void*>(&k::vector_peak_kernel<precision::fp32>),
    reinterpret_cast<void*>(&k::vector_peak_kernel<precision::fp16>),
};
EOF

# Summarises an AMDGPU .s file, one line per fact:
#   LOOP <function> <label> <mnemonic> <count> every instruction between a label and a branch back to it
#   SCRATCH <kernel> <bytes>                   from the kernel descriptor
summarise() {
    awk '
    /^[A-Za-z_][A-Za-z0-9_.$]*:/ && $0 !~ /^\./ { fn = substr($1, 1, length($1) - 1); n = 0; delete label; next }
    /^\.LBB[0-9_]+:/ { label[substr($1, 1, length($1) - 1)] = n; next }
    /^[ \t]+\.amdhsa_kernel[ \t]/ { kern = $2 }
    /^[ \t]+\.amdhsa_private_segment_fixed_size[ \t]/ { print "SCRATCH", kern, $2 }
    /^[ \t]+[a-z_][a-z0-9_]*/ && $1 !~ /^\./ {
        line[++n] = $1
        if ($1 ~ /^s_(c)?branch/ && ($2 in label)) {
            delete cnt
            for (i = label[$2] + 1; i <= n; ++i) cnt[line[i]]++
            for (m in cnt) print "LOOP", fn, $2, m, cnt[m]
        }
    }
    ' "$1"
}

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# check_arch <arch> <file.s>
check_arch() {
    local arch=$1 asm=$2 facts
    facts=$(summarise "$asm")
    for pv in $precisions; do
        local p=${pv%%:*} v=${pv##*:} want kernel
        want=$(expected "$arch" "$p")
        kernel=$(printf '%s\n' "$facts" | awk -v v="$v" '($1 == "LOOP" || $1 == "SCRATCH") && $2 ~ ("vector_peak_kernel.*precisionE" v "E") { print $2; exit }')
        if [ -z "$kernel" ]; then
            fail "$arch $p: kernel vector_peak_kernel<$p> not found in $asm"
            continue
        fi
        local scratch
        scratch=$(printf '%s\n' "$facts" | awk -v k="$kernel" '$1 == "SCRATCH" && $2 == k { print $3 }')
        [ "$scratch" = "0" ] || fail "$arch $p: scratch (private segment) is '$scratch' bytes, expected 0"
        # The loop with the most accepted FMAs, and their count.
        local best
        best=$(printf '%s\n' "$facts" | awk -v k="$kernel" -v want=" $want " '
            $1 == "LOOP" && $2 == k && index(want, " " $4 " ") { sum[$3] += $5 }
            END { for (l in sum) if (sum[l] > top) { top = sum[l]; at = l } if (top) print at, top }')
        if [ -z "$best" ]; then
            fail "$arch $p: none of [$want] inside a loop of $kernel"
            continue
        fi
        local label=${best% *} count=${best#* }
        if [ "$count" != "$per_loop" ]; then
            fail "$arch $p: [$want] appear $count times in loop $label, expected $per_loop"
            continue
        fi
        local bad
        bad=$(printf '%s\n' "$facts" | awk -v k="$kernel" -v l="$label" '$1 == "LOOP" && $2 == k && $3 == l && $4 ~ /^(global_|buffer_|flat_|scratch_|ds_|v_pk_mul|v_pk_add|v_mul_f|v_add_f)/ { printf "%s ", $4 }')
        if [ -n "$bad" ]; then fail "$arch $p: loop $label also contains $bad"; continue; fi
        echo "ok   $arch $p: [$want] x$count in loop $label, registers only, no scratch"
    done
}

checked=""
if [ -n "$hipcc" ]; then
    echo "== $hipcc -ffp-contract=off --offload-arch=gfx908/gfx90a/gfx940 --save-temps"
    rm -f tu-hip-*.s
    if "$hipcc" -std=c++17 -O3 -ffp-contract=off --offload-arch=gfx908 --offload-arch=gfx90a \
        --offload-arch=gfx940 --save-temps -I"$src/include" -c tu.cpp -o tu.o > hipcc.log 2>&1; then
        for arch in gfx908 gfx90a gfx940; do
            asm=tu-hip-amdgcn-amd-amdhsa-$arch.s
            if [ -f "$asm" ]; then check_arch "$arch" "$asm"; else fail "$arch: $asm not produced"; fi
        done
        checked="$checked gfx908 gfx90a gfx940"
    else
        cat hipcc.log
        fail "hipcc could not compile the vector kernels"
    fi
else
    echo "NOTE: HIPCC not set: gfx908/gfx90a/gfx940 not checked"
fi

if [ -n "$clang19" ]; then
    # Debian's HIP 5.2 headers include <include/cuda_wrappers/...> from clang's resource dir.
    resource=$("$clang19" -print-resource-dir)
    echo "== $clang19 -x hip --offload-arch=gfx942 -nogpulib --cuda-device-only -S -O3 -ffp-contract=off -I$resource"
    if "$clang19" -x hip --offload-arch=gfx942 -nogpulib --cuda-device-only -S -O3 -std=c++17 \
        -ffp-contract=off -I"$src/include" -I"$resource" tu.cpp -o tu-gfx942.s > clang19.log 2>&1; then
        check_arch gfx942 tu-gfx942.s
        checked="$checked gfx942"
    else
        cat clang19.log
        fail "clang-19 could not compile the vector kernels for gfx942"
    fi
else
    echo "NOTE: CLANG19 not set: gfx942 not checked"
fi

echo "checked:$checked (gfx950: not compiled here, no compiler knows it)"
if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "PASS"
exit 0
