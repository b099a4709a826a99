#!/usr/bin/env bash
# ISA check of the pointer-chase latency kernels (kernels/latency.hpp) for AMD gfx90a, gfx942 and
# gfx950, read from clang-22's device-only assembly:
#  - each chase kernel's loads are the intended instruction with the intended cache bits and no
#    others: global_load_dwordx2 without bits (L1 chase: cached in the CU's vector L1), with glc
#    (gfx90a) or sc1 (gfx942/gfx950) for the L2 / LLC / HBM chase and the per-load profile (agent
#    scope: the L1 is bypassed), with glc (gfx90a) or sc0 sc1 (gfx942/gfx950) for mapped host
#    memory (system scope); ds_read_b32 for LDS;
#  - every such load sits inside a loop, and each loop holding them holds exactly 1 (warm-up,
#    timed one-load loop, profile loop) or exactly chase_unroll = 8 (the unrolled timed loop),
#    with both kinds present: the runner subtracts the loop overhead from the difference;
#  - the dependence is kept: each load's address registers are the registers the previous load
#    wrote (around the loop).
# Contract (tests/isa): AACO_SOURCE_DIR, AACO_ISA_WORKDIR; CLANG22 (default: clang-22 on PATH;
# none => skip, exit 77).
set -u
clang22="${CLANG22:-$(command -v clang-22 || true)}"
if [[ -z "$clang22" || ! -x "$clang22" ]]; then
    echo "SKIP: clang-22 not found (set CLANG22)"
    exit 77
fi
src="${AACO_SOURCE_DIR:?AACO_SOURCE_DIR must name the repository root}"
work="${AACO_ISA_WORKDIR:?AACO_ISA_WORKDIR must name a scratch directory}"
mkdir -p "$work"
tu="$work/latency_isa.cpp"
resource="$("$clang22" -print-resource-dir)"

cat > "$tu" <<'EOF'
#include <aaco/kernels/latency.hpp>
namespace k = aaco::kernels;
using P = aaco::arch::chase_policy;
void* kernels[] = {
    reinterpret_cast<void*>(&k::chase_global_kernel<P::l1, k::chase_unroll>),
    reinterpret_cast<void*>(&k::chase_global_kernel<P::l2, k::chase_unroll>),
    reinterpret_cast<void*>(&k::chase_global_kernel<P::system, k::chase_unroll>),
    reinterpret_cast<void*>(&k::chase_shared_kernel<k::chase_unroll>),
    reinterpret_cast<void*>(&k::chase_profile_kernel<P::l2, k::chase_unroll>),
};
int main() { return kernels[0] == nullptr; }
EOF

# Test support only, never part of aaco: Debian's HIP 5.2 amd_hip_fp16.h calls
# __llvm_amdgcn_rcp_f16 / __llvm_amdgcn_rcp_2f16, which clang's HIP wrapper declared up to LLVM 19
# and clang-22 no longer does. The chase kernels never use half types; this only lets the headers
# (pulled in through rocPRIM) parse.
shim="$work/rcp_f16_shim.hpp"
cat > "$shim" <<'EOF'
#pragma once
typedef _Float16 aaco_isa_half2 __attribute__((ext_vector_type(2)));
__device__ inline _Float16 __llvm_amdgcn_rcp_f16(_Float16 x) { return static_cast<_Float16>(1.0f) / x; }
__device__ inline aaco_isa_half2 __llvm_amdgcn_rcp_2f16(aaco_isa_half2 x) { return static_cast<aaco_isa_half2>(1.0f) / x; }
EOF

# loops FILE REGEX: for every loop (a label and a later s_branch / s_cbranch_* back to it) that
# is the innermost loop around at least one instruction matching REGEX, prints "COUNT DEP BITS":
# COUNT such instructions, DEP 1 when each one's address operand is the previous one's
# destination (around the loop), BITS the set of cache bits seen on them ("-" for none).
loops() {
    awk -v re="$2" '
        { line[NR] = $0 }
        /^\.LBB[0-9_]+:/ { l = $1; sub(/:.*/, "", l); at[l] = NR }
        END {
            n = 0
            for (i = 1; i <= NR; i++) {
                if (line[i] !~ /^[ \t]*s_(c)?branch[a-z_0-9]*[ \t]+\.LBB/) continue
                t = line[i]; sub(/.*[ \t]\.LBB/, ".LBB", t); sub(/[ \t;].*/, "", t)
                if (!(t in at) || at[t] >= i) continue
                n++; lo[n] = at[t]; hi[n] = i
            }
            for (j = 1; j <= NR; j++) {
                if (line[j] !~ re) continue
                best = 0
                for (m = 1; m <= n; m++)
                    if (lo[m] <= j && j < hi[m] && (best == 0 || hi[m] - lo[m] < hi[best] - lo[best])) best = m
                if (best == 0) { print "0 0 outside-loop"; continue }
                c = ++count[best]
                ins = line[j]; sub(/;.*/, "", ins); sub(/^[ \t]+/, "", ins)
                nf = split(ins, w, /[ \t,]+/)
                dst[best, c] = w[2]; addr[best, c] = w[3]
                b = ""
                for (q = 4; q <= nf; q++) if (w[q] ~ /^(glc|slc|dlc|sc0|sc1|nt)$/) b = b w[q] "+"
                if (b == "") b = "-"
                if (!(best in bits)) bits[best] = b
                else if (bits[best] != b) bits[best] = bits[best] "|" b
            }
            for (m = 1; m <= n; m++) {
                if (!(m in count)) continue
                c = count[m]; ok = 1
                for (q = 1; q <= c; q++) {
                    prev = q == 1 ? c : q - 1
                    if (addr[m, q] != dst[m, prev]) ok = 0
                }
                print c, ok, bits[m]
            }
        }' "$1"
}

fail=0
checked=0
for arch in gfx90a gfx942 gfx950; do
    s="$work/latency_$arch.s"
    if ! "$clang22" -x hip --offload-arch=$arch -nogpulib --cuda-device-only -S -O3 -std=c++17 \
            -D__AMDGCN_WAVEFRONT_SIZE=64 -I"$resource/include" -include "$shim" -I"$src/include" "$tu" -o "$s"; then
        echo "FAIL: clang-22 device-only compile for $arch failed"
        fail=1
        continue
    fi
    case "$arch" in
        gfx90a) l2_bits="glc+" sys_bits="glc+" ;;
        *)      l2_bits="sc1+" sys_bits="sc0+sc1+" ;;
    esac
    rm -f "$work"/fn_"$arch"_*.s
    awk -v dir="$work" -v arch="$arch" '
        /^_Z[A-Za-z0-9_]*:/ { n++; if (f != "") close(f); f = sprintf("%s/fn_%s_%03d.s", dir, arch, n) }
        /^\.Lfunc_end/ { if (f != "") close(f); f = "" }
        f != "" { print > f }' "$s"
    for f in "$work"/fn_"$arch"_*.s; do
        [[ -e "$f" ]] || continue
        name=$(head -n 1 "$f" | sed -E 's/:.*//')
        case "$name" in
            *chase_global_kernel*chase_policyE0*) re='global_load_dwordx2' want="-" ;;
            *chase_global_kernel*chase_policyE1*) re='global_load_dwordx2' want="$l2_bits" ;;
            *chase_global_kernel*chase_policyE2*) re='global_load_dwordx2' want="$sys_bits" ;;
            *chase_profile_kernel*chase_policyE1*) re='global_load_dwordx2' want="$l2_bits" ;;
            *chase_shared_kernel*) re='ds_read_b32' want="-" ;;
            *) continue ;;
        esac
        checked=$((checked + 1))
        # The start pointer is loaded once before the loops (global_load_dwordx2 from starts[]):
        # only loads inside loops are chase loads.
        result=$(loops "$f" "^[ \t]*$re[ \t]" | grep -v outside-loop || true)
        ones=$(awk '$1 == 1' <<< "$result" | wc -l)
        eights=$(awk '$1 == 8' <<< "$result" | wc -l)
        others=$(awk '$1 != 1 && $1 != 8' <<< "$result" | wc -l)
        broken=$(awk '$2 != 1' <<< "$result" | wc -l)
        wrong_bits=$(awk -v w="$want" '$3 != w' <<< "$result" | wc -l)
        if [[ $ones -ge 1 && $eights -eq 1 && $others -eq 0 && $broken -eq 0 && $wrong_bits -eq 0 ]]; then
            echo "ok   $arch $name: $re (bits: $want) in $ones one-load loop(s) and 1 8-load loop, dependence kept"
        else
            echo "FAIL $arch $name: $re loops (count dependence-kept bits; want bits $want): $(tr '\n' ';' <<< "$result")"
            fail=1
        fi
    done
done

if [[ $checked -ne 15 ]]; then
    echo "FAIL: expected 5 chase kernels for each of 3 archs, found $checked"
    exit 1
fi
echo "checked $checked kernels"
exit $fail
