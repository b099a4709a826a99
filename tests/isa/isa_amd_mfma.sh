#!/usr/bin/env bash
# ISA check of aaco's AMD MFMA peak kernels (kernels/amd/detail/mfma_kernel.hpp).
#
# Compiles one translation unit that instantiates mfma_peak_kernel<P> for every precision:
#   - with hipcc (LLVM 15) for gfx908, gfx90a and gfx940, the hip preset's build;
#   - with clang-22, device only, for gfx908, gfx90a, gfx942 and gfx950 (tests/isa/amd_common.sh
#     has the flags and why).
# Then, per arch and precision, it reads the kernel's assembly and requires:
#   - the arch's best-rate MFMA (LLVM's spelling for that arch) inside a loop, i.e. between a
#     block label and a branch back to it, exactly accumulators x unroll = 16 times (the loop is
#     neither collapsed nor unrolled further: each trip issues what the runner counts);
#   - no memory instruction, no other MFMA and no AGPR<->VGPR copy inside that loop (operands
#     and accumulators stay in registers), no scratch (.amdhsa_private_segment_fixed_size 0)
#     and no SGPR or VGPR spills (code object metadata);
#   - no MFMA at all in the kernels of precisions the arch lacks (they only record "no path").
#
# Environment (tests/CMakeLists.txt sets them): AACO_SOURCE_DIR, AACO_ISA_WORKDIR, HIPCC,
# CLANG22. Exit 0 = every arch checked and passed, 77 = skip (no compiler, or one of the two
# missing: then the other one's archs are still checked), anything else = fail.
set -u
. "$(dirname "$0")/amd_common.sh"
mkdir -p "$amd_work" && cd "$amd_work" || exit 2

# precision enum values (model/precision.hpp): fp64 0, fp32 1, tf32 2, fp16 3, bf16 4, fp8 5, int8 6
precisions="fp64:0 fp32:1 tf32:2 fp16:3 bf16:4 fp8:5 int8:6"
per_loop=16   # mfma_peak_config::accumulators x unroll

# expected <arch> <precision> -> mnemonic, or "-" where the arch has no such MFMA. The same
# mnemonics as arch/amd/mfma.hpp's table (model/profiles.hpp's mfma_table), read here from what
# the compilers emit.
expected() {
    case "$1:$2" in
    gfx908:fp32) echo v_mfma_f32_32x32x2f32 ;;
    gfx908:fp16) echo v_mfma_f32_32x32x8f16 ;;
    gfx908:bf16) echo v_mfma_f32_32x32x4bf16 ;;
    gfx908:int8) echo v_mfma_i32_32x32x8i8 ;;
    gfx90a:fp64) echo v_mfma_f64_16x16x4f64 ;;
    gfx90a:fp32) echo v_mfma_f32_32x32x2f32 ;;
    gfx90a:fp16) echo v_mfma_f32_32x32x8f16 ;;
    gfx90a:bf16) echo v_mfma_f32_32x32x8bf16_1k ;;
    gfx90a:int8) echo v_mfma_i32_32x32x8i8 ;;
    gfx94*:fp64) echo v_mfma_f64_16x16x4_f64 ;;
    gfx94*:fp32) echo v_mfma_f32_32x32x2_f32 ;;
    gfx94*:tf32) echo v_mfma_f32_32x32x4_xf32 ;;
    gfx94*:fp16) echo v_mfma_f32_32x32x8_f16 ;;
    gfx94*:bf16) echo v_mfma_f32_32x32x8_bf16 ;;
    gfx94*:fp8) echo v_mfma_f32_32x32x16_fp8_fp8 ;;
    gfx94*:int8) echo v_mfma_i32_32x32x16_i8 ;;
    gfx950:fp64) echo v_mfma_f64_16x16x4_f64 ;;
    gfx950:fp32) echo v_mfma_f32_32x32x2_f32 ;;
    gfx950:fp16) echo v_mfma_f32_32x32x16_f16 ;;
    gfx950:bf16) echo v_mfma_f32_32x32x16_bf16 ;;
    gfx950:fp8) echo v_mfma_scale_f32_32x32x64_f8f6f4 ;;  # the scaled form, unit scales
    gfx950:int8) echo v_mfma_i32_32x32x32_i8 ;;
    *) echo - ;;
    esac
}

cat > tu.cpp <<'EOF'
#include <aaco/kernels/amd/detail/mfma_kernel.hpp>
namespace k = aaco::kernels::amd;
using aaco::precision;
// Taking each kernel's address instantiates it for every device pass.
void* aaco_isa_mfma_kernels[] = {
    reinterpret_cast<void*>(&k::mfma_peak_kernel<precision::fp64>),
    reinterpret_cast<void*>(&k::mfma_peak_kernel<precision::fp32>),
    reinterpret_cast<void*>(&k::mfma_peak_kernel<precision::tf32>),
    reinterpret_cast<void*>(&k::mfma_peak_kernel<precision::fp16>),
    reinterpret_cast<void*>(&k::mfma_peak_kernel<precision::bf16>),
    reinterpret_cast<void*>(&k::mfma_peak_kernel<precision::fp8>),
    reinterpret_cast<void*>(&k::mfma_peak_kernel<precision::int8>),
};
EOF
# The library's table (what method() reports and the FLOP counts use) must name the same
# mnemonics that this test expects in the assembly: checked at compile time in the same TU.
for fam in gfx908 gfx90a gfx94x gfx950; do
    for pv in $precisions; do
        p=${pv%%:*}
        want=$(expected "$fam" "$p")
        entry="aaco::arch::amd::mfma_table(precision::$p, aaco::arch::amd::gfx_family::$fam)"
        if [ "$want" = "-" ]; then
            echo "static_assert(!$entry.supported, \"$fam $p: the table must have no MFMA\");"
        else
            echo "static_assert($entry.mnemonic == \"$want\", \"$fam $p: the table must name $want\");"
        fi
    done
done >> tu.cpp

# check_arch <arch> <file.s>
check_arch() {
    local arch=$1 asm=$2 facts
    facts=$(amd_summarise "$asm")
    for pv in $precisions; do
        local p=${pv%%:*} v=${pv##*:} want kernel
        want=$(expected "$arch" "$p")
        kernel=$(printf '%s\n' "$facts" | awk -v v="$v" '$1 == "ANY" || $1 == "LOOP" || $1 == "SCRATCH" { if ($2 ~ ("mfma_peak_kernel.*precisionE" v "E")) { print $2; exit } }')
        if [ -z "$kernel" ]; then
            # A kernel with no v_mfma and no loop still has a descriptor line (SCRATCH).
            fail "$arch $p: kernel mfma_peak_kernel<$p> not found in $asm"
            continue
        fi
        amd_check_resources "$facts" "$kernel" "$arch $p"
        if [ "$want" = "-" ]; then
            local stray
            stray=$(printf '%s\n' "$facts" | awk -v k="$kernel" '$1 == "ANY" && $2 == k { print $3 }' | tr '\n' ' ')
            if [ -n "$stray" ]; then fail "$arch $p: no MFMA expected, found $stray"
            else echo "ok   $arch $p: no MFMA on this arch, kernel only records 'no path'"; fi
            continue
        fi
        local loops
        loops=$(printf '%s\n' "$facts" | awk -v k="$kernel" -v m="$want" '$1 == "LOOP" && $2 == k && $4 == m { print $3 ":" $5 }')
        if [ -z "$loops" ]; then
            fail "$arch $p: $want not inside any loop of $kernel (found: $(printf '%s\n' "$facts" | awk -v k="$kernel" '$1 == "ANY" && $2 == k { printf "%s x%s ", $3, $4 }'))"
            continue
        fi
        local best_label best_count
        best_label=${loops%%:*}; best_count=$(printf '%s\n' "$loops" | head -n1 | cut -d: -f2)
        if [ "$best_count" != "$per_loop" ]; then
            fail "$arch $p: $want appears $best_count times in loop $best_label, expected $per_loop"
            continue
        fi
        local bad
        bad=$(printf '%s\n' "$facts" | awk -v k="$kernel" -v l="$best_label" -v m="$want" '$1 == "LOOP" && $2 == k && $3 == l && ($4 ~ /^(global_|buffer_|flat_|scratch_|ds_|v_accvgpr_)/ || ($4 ~ /^v_mfma/ && $4 != m)) { printf "%s ", $4 }')
        if [ -n "$bad" ]; then fail "$arch $p: loop $best_label also contains $bad"; continue; fi
        echo "ok   $arch $p: $want x$best_count in loop $best_label, registers only, no scratch, no spills"
    done
}

amd_compile_and_check "MFMA kernels" tu.cpp
amd_finish
