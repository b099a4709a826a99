#!/usr/bin/env bash
# ISA check of aaco's AMD vector-FMA peak kernels (kernels/amd/detail/vector_kernel.hpp).
#
# Compiles vector_peak_kernel<P> for fp32, fp64 and fp16 with hipcc (gfx908, gfx90a, gfx940)
# and with clang-22, device only (gfx908, gfx90a, gfx942, gfx950; tests/isa/amd_common.sh),
# both with -ffp-contract=off so that only the kernel's own fusion (builtins / #pragma clang fp
# contract) can produce FMAs. Per arch and precision it requires, inside a loop (a block label
# and a branch back to it):
#   fp32: v_pk_fma_f32 on gfx90a/gfx94x/gfx950 (packed fp32); v_fma_f32 or v_fmac_f32 on gfx908
#   fp64: v_fma_f64      fp16: v_pk_fma_f16
# exactly accumulators x unroll = 64 times (the loop neither collapsed nor unrolled further),
# no memory instruction and no separate multiply or add in the loop, no scratch and no spills.
#
# Environment (tests/CMakeLists.txt sets them): AACO_SOURCE_DIR, AACO_ISA_WORKDIR, HIPCC,
# CLANG22. Exit 0 = every arch checked and passed, 77 = skip (no compiler, or one of the two
# missing: then the other one's archs are still checked), anything else = fail.
set -u
. "$(dirname "$0")/amd_common.sh"
mkdir -p "$amd_work" && cd "$amd_work" || exit 2

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

# check_arch <arch> <file.s>
check_arch() {
    local arch=$1 asm=$2 facts
    facts=$(amd_summarise "$asm")
    for pv in $precisions; do
        local p=${pv%%:*} v=${pv##*:} want kernel
        want=$(expected "$arch" "$p")
        kernel=$(printf '%s\n' "$facts" | awk -v v="$v" '($1 == "LOOP" || $1 == "SCRATCH") && $2 ~ ("vector_peak_kernel.*precisionE" v "E") { print $2; exit }')
        if [ -z "$kernel" ]; then
            fail "$arch $p: kernel vector_peak_kernel<$p> not found in $asm"
            continue
        fi
        amd_check_resources "$facts" "$kernel" "$arch $p"
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
        echo "ok   $arch $p: [$want] x$count in loop $label, registers only, no scratch, no spills"
    done
}

amd_compile_and_check "vector kernels" tu.cpp -ffp-contract=off
amd_finish
