#!/usr/bin/env bash
# ISA check of aaco's AMD MFMA peak kernels (kernels/amd/detail/mfma_kernel.hpp).
#
# Compiles one translation unit that instantiates mfma_peak_kernel<P> for every precision:
#   - with hipcc (LLVM 15) for gfx908, gfx90a and gfx940 (--save-temps keeps one .s per arch);
#   - with clang-19, device only, for gfx942 (hipcc 5.2 does not know gfx942).
# Then, per arch and precision, it reads the kernel's assembly and requires:
#   - the arch's best-rate MFMA (LLVM's spelling for that arch) inside a loop, i.e. between a
#     block label and a branch back to it, accumulators x unroll = 16 times;
#   - no memory instruction and no AGPR<->VGPR copy inside that loop (operands and accumulators
#     stay in registers), and no scratch (.amdhsa_private_segment_fixed_size 0);
#   - no MFMA at all in the kernels of precisions the arch lacks (they only record "no path").
# gfx950 is not checked: no compiler here knows it.
#
# Environment (tests/CMakeLists.txt sets them): AACO_SOURCE_DIR, AACO_ISA_WORKDIR, HIPCC,
# CLANG19. Exit 0 = pass, 77 = skip (no hipcc), anything else = fail.
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

# precision enum values (model/precision.hpp): fp64 0, fp32 1, tf32 2, fp16 3, bf16 4, fp8 5, int8 6
precisions="fp64:0 fp32:1 tf32:2 fp16:3 bf16:4 fp8:5 int8:6"
per_loop=16   # mfma_peak_config::accumulators x unroll

# expected <arch> <precision> -> mnemonic, or "-" where the arch has no such MFMA
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

# Summarises an AMDGPU .s file, one line per fact:
#   ANY <function> <mnemonic> <count>          every v_mfma* in the function
#   LOOP <function> <label> <mnemonic> <count> every instruction between a label and a branch back to it
#   SCRATCH <kernel> <bytes>                   from the kernel descriptor
summarise() {
    awk '
    function flush_any(   m) { for (m in any) print "ANY", fn, m, any[m]; delete any }
    /^[A-Za-z_][A-Za-z0-9_.$]*:/ && $0 !~ /^\./ {
        flush_any(); fn = substr($1, 1, length($1) - 1); n = 0; delete label; next
    }
    /^\.LBB[0-9_]+:/ { label[substr($1, 1, length($1) - 1)] = n; next }
    /^[ \t]+\.amdhsa_kernel[ \t]/ { kern = $2 }
    /^[ \t]+\.amdhsa_private_segment_fixed_size[ \t]/ { print "SCRATCH", kern, $2 }
    /^[ \t]+[a-z_][a-z0-9_]*/ && $1 !~ /^\./ {
        line[++n] = $1
        if ($1 ~ /^v_mfma/) any[$1]++
        if ($1 ~ /^s_(c)?branch/ && ($2 in label)) {
            delete cnt
            for (i = label[$2] + 1; i <= n; ++i) cnt[line[i]]++
            for (m in cnt) print "LOOP", fn, $2, m, cnt[m]
        }
    }
    END { flush_any() }
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
        kernel=$(printf '%s\n' "$facts" | awk -v v="$v" '$1 == "ANY" || $1 == "LOOP" || $1 == "SCRATCH" { if ($2 ~ ("mfma_peak_kernel.*precisionE" v "E")) { print $2; exit } }')
        if [ -z "$kernel" ]; then
            # A kernel with no v_mfma and no loop still has a descriptor line (SCRATCH).
            fail "$arch $p: kernel mfma_peak_kernel<$p> not found in $asm"
            continue
        fi
        local scratch
        scratch=$(printf '%s\n' "$facts" | awk -v k="$kernel" '$1 == "SCRATCH" && $2 == k { print $3 }')
        [ "$scratch" = "0" ] || fail "$arch $p: scratch (private segment) is '$scratch' bytes, expected 0"
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
        echo "ok   $arch $p: $want x$best_count in loop $best_label, registers only, no scratch"
    done
}

checked=""
if [ -n "$hipcc" ]; then
    echo "== $hipcc --offload-arch=gfx908/gfx90a/gfx940 --save-temps"
    rm -f tu-hip-*.s
    if "$hipcc" -std=c++17 -O3 --offload-arch=gfx908 --offload-arch=gfx90a --offload-arch=gfx940 \
        --save-temps -I"$src/include" -c tu.cpp -o tu.o > hipcc.log 2>&1; then
        for arch in gfx908 gfx90a gfx940; do
            asm=tu-hip-amdgcn-amd-amdhsa-$arch.s
            if [ -f "$asm" ]; then check_arch "$arch" "$asm"; else fail "$arch: $asm not produced"; fi
        done
        checked="$checked gfx908 gfx90a gfx940"
    else
        cat hipcc.log
        fail "hipcc could not compile the MFMA kernels"
    fi
else
    echo "NOTE: HIPCC not set: gfx908/gfx90a/gfx940 not checked"
fi

if [ -n "$clang19" ]; then
    # Debian's HIP 5.2 headers include <include/cuda_wrappers/...>, which lives under clang's
    # resource directory; -nogpulib: no device libraries (the kernels use builtins only).
    resource=$("$clang19" -print-resource-dir)
    echo "== $clang19 -x hip --offload-arch=gfx942 -nogpulib --cuda-device-only -S -O3 -I$resource"
    if "$clang19" -x hip --offload-arch=gfx942 -nogpulib --cuda-device-only -S -O3 -std=c++17 \
        -I"$src/include" -I"$resource" tu.cpp -o tu-gfx942.s > clang19.log 2>&1; then
        check_arch gfx942 tu-gfx942.s
        checked="$checked gfx942"
    else
        cat clang19.log
        fail "clang-19 could not compile the MFMA kernels for gfx942"
    fi
else
    echo "NOTE: CLANG19 not set: gfx942 not checked"
fi

if [ -n "$clang19" ]; then
    # gfx950 front-end check: no compiler here knows gfx950, so its builtins are undeclared. With
    # __gfx950__ defined on a gfx942 compile, the gfx950 path (policies, operand types, their
    # size checks) must type-check, and the only errors allowed are exactly the four gfx950
    # builtins. This proves neither their signatures nor code generation. (A CLANG19 of LLVM >= 20
    # would know them and should compile for --offload-arch=gfx950 instead.)
    resource=$("$clang19" -print-resource-dir)
    echo "== gfx950 front end: $clang19 ... -D__gfx950__ -fsyntax-only -fno-spell-checking"
    "$clang19" -x hip --offload-arch=gfx942 -D__gfx950__ -fno-spell-checking -nogpulib --cuda-device-only \
        -fsyntax-only -std=c++17 -I"$src/include" -I"$resource" tu.cpp > gfx950.log 2>&1
    errors=$(grep -E 'error:' gfx950.log | sed -e 's/.*error: //' | sort -u)
    allowed=$(printf '%s\n' __builtin_amdgcn_mfma_f32_32x32x16_bf16 __builtin_amdgcn_mfma_f32_32x32x16_f16 \
        __builtin_amdgcn_mfma_i32_32x32x32_i8 __builtin_amdgcn_mfma_scale_f32_32x32x64_f8f6f4 |
        sed -e "s/.*/use of undeclared identifier '&'/" | sort -u)
    if [ "$errors" = "$allowed" ]; then
        echo "ok   gfx950: path type-checks; only the 4 gfx950 builtins are unknown to clang-19"
    else
        cat gfx950.log
        fail "gfx950: front-end errors other than the 4 unknown gfx950 builtins"
    fi
fi

echo "checked:$checked (gfx950: front end only, no compiler here generates gfx950 code)"
if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "PASS"
exit 0
