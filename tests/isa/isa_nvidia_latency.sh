#!/usr/bin/env bash
# ISA check of the pointer-chase latency kernels (kernels/latency.hpp) for sm_90a and sm_80, read
# from the PTX and ptxas's report:
#  - each chase kernel's loads use the intended cache operator: ld.global.ca.u64 (L1 chase),
#    ld.global.cg.u64 (L2 / LLC / HBM chase and the per-load profile), ld.global.cv.u64 (mapped
#    host memory), ld.shared.u32 (shared memory);
#  - every such load sits inside a loop, and each loop holding them holds exactly 1 (the warm-up
#    and the timed one-load loop, the profile loop) or exactly chase_unroll = 8 (the unrolled
#    timed loop), with both kinds present: the runner subtracts the loop overhead from the
#    difference of the two, so a loop unrolled by the compiler, or loads hoisted or merged,
#    would change what is measured;
#  - the dependence is kept: in every such loop each load's address register is the register
#    the previous load wrote (the first load's, the last one's, around the loop), so no load
#    can start before the one before it returned;
#  - ptxas spills nothing in these kernels.
# Contract (tests/isa): AACO_SOURCE_DIR, AACO_ISA_WORKDIR, NVCC (empty => skip, exit 77).
set -u
if [[ -z "${NVCC:-}" || ! -x "${NVCC}" ]]; then
    echo "SKIP: NVCC is not set"
    exit 77
fi
src="${AACO_SOURCE_DIR:?AACO_SOURCE_DIR must name the repository root}"
work="${AACO_ISA_WORKDIR:?AACO_ISA_WORKDIR must name a scratch directory}"
mkdir -p "$work"
tu="$work/latency_isa.cu"

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

# loops FILE STRING: for every loop (a label and a later branch back to it) that is the
# innermost loop around at least one line containing STRING, prints "COUNT DEP" where COUNT is
# how many such lines it holds and DEP is 1 when each one's address register ([%r...]) is the
# destination register of the one before it (the first's, of the last one: around the loop).
loops() {
    awk -v pat="$2" '
        { line[NR] = $0 }
        /^\$L__BB[0-9_]+:/ { l = $1; sub(/:.*/, "", l); at[l] = NR }
        END {
            n = 0
            for (i = 1; i <= NR; i++) {
                if (line[i] !~ /bra(\.uni)?[ \t]+\$L__BB/) continue
                t = line[i]; sub(/.*bra(\.uni)?[ \t]+/, "", t); sub(/;.*/, "", t)
                if (!(t in at) || at[t] >= i) continue
                n++; lo[n] = at[t]; hi[n] = i
            }
            for (j = 1; j <= NR; j++) {
                if (index(line[j], pat) == 0) continue
                best = 0
                for (m = 1; m <= n; m++)
                    if (lo[m] <= j && j < hi[m] && (best == 0 || hi[m] - lo[m] < hi[best] - lo[best])) best = m
                if (best == 0) { print "0 0"; continue }   # a chase load outside any loop
                c = ++count[best]
                d = line[j]; sub(/.*\.u(32|64)[ \t]+/, "", d); a = d
                sub(/,.*/, "", d); sub(/.*\[/, "", a); sub(/\].*/, "", a)
                dst[best, c] = d; addr[best, c] = a
            }
            for (m = 1; m <= n; m++) {
                if (!(m in count)) continue
                c = count[m]; ok = 1
                for (q = 1; q <= c; q++) {
                    prev = q == 1 ? c : q - 1
                    if (addr[m, q] != dst[m, prev]) ok = 0
                }
                print c, ok
            }
        }' "$1"
}

fail=0
checked=0
for arch in 90a 80; do
    ptx="$work/latency_sm$arch.ptx"
    if ! "$NVCC" -std=c++17 -arch=compute_$arch -ptx -I"$src/include" "$tu" -o "$ptx"; then
        echo "FAIL: nvcc -ptx for compute_$arch failed"
        exit 1
    fi
    rm -f "$work"/entry_"$arch"_*.ptx
    awk -v dir="$work" -v arch="$arch" '
        /^\.(visible|weak) \.entry/ { n++; f = sprintf("%s/entry_%s_%03d.ptx", dir, arch, n) }
        f != "" { print > f }
        /^}/ { if (f != "") close(f); f = "" }' "$ptx"
    for e in "$work"/entry_"$arch"_*.ptx; do
        name=$(head -n 1 "$e" | sed -E 's/.*\.entry[ \t]+([A-Za-z0-9_]+).*/\1/')
        case "$name" in
            *chase_global_kernel*chase_policyE0*) load="ld.global.ca.u64" ;;
            *chase_global_kernel*chase_policyE1*) load="ld.global.cg.u64" ;;
            *chase_global_kernel*chase_policyE2*) load="ld.global.cv.u64" ;;
            *chase_shared_kernel*) load="ld.shared.u32" ;;
            *chase_profile_kernel*chase_policyE1*) load="ld.global.cg.u64" ;;
            *) continue ;;
        esac
        checked=$((checked + 1))
        result=$(loops "$e" "$load")
        ones=$(awk '$1 == 1' <<< "$result" | wc -l)
        eights=$(awk '$1 == 8' <<< "$result" | wc -l)
        others=$(awk '$1 != 1 && $1 != 8' <<< "$result" | wc -l)
        broken=$(awk '$2 != 1' <<< "$result" | wc -l)
        if [[ $ones -ge 1 && $eights -eq 1 && $others -eq 0 && $broken -eq 0 ]]; then
            echo "ok   sm_$arch $name: '$load' in $ones one-load loop(s) and $eights 8-load loop, each load's address the previous load's result"
        else
            echo "FAIL sm_$arch $name: '$load' loops (count dependence-kept): $(tr '\n' ';' <<< "$result")"
            fail=1
        fi
    done
done

# ptxas report: no spills in the chase kernels (sm_90a).
report="$work/ptxas_sm90a.txt"
if ! "$NVCC" -std=c++17 -gencode=arch=compute_90a,code=sm_90a -cubin -Xptxas -v -I"$src/include" "$tu" \
        -o "$work/latency_sm90a.cubin" > "$report" 2>&1; then
    cat "$report"
    echo "FAIL: nvcc -cubin for sm_90a failed"
    exit 1
fi
spills=$(awk '
    /Compiling entry function/ { mine = ($0 ~ /chase_(global|shared|profile)_kernel/); name = $0 }
    mine && /spill stores/ {
        if ($0 !~ / 0 bytes spill stores, 0 bytes spill loads/) print name " -> " $0
    }' "$report")
n_kernels=$(grep -c -E "Compiling entry function.*chase_(global|shared|profile)_kernel" "$report")
if [[ -n "$spills" ]]; then
    echo "FAIL: ptxas spills in chase kernels:"
    echo "$spills"
    fail=1
else
    echo "ok   ptxas: no spills in $n_kernels chase kernels (sm_90a)"
fi

if [[ $checked -ne 10 || $n_kernels -ne 5 ]]; then
    echo "FAIL: expected 5 chase kernels per arch (2 archs) and 5 in the ptxas report, found $checked and $n_kernels"
    exit 1
fi
echo "checked $checked kernels"
exit $fail
