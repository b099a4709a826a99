#!/usr/bin/env bash
# ISA check of the memory kernels for sm_90a (and sm_80), read from the PTX and ptxas's report:
#  - every stream kernel has, inside a loop, the 16-byte load of its load policy
#    (ld.global[.cs|.lu|.cg|.nc.L1::no_allocate[.L2::256B]].v4.u32) where it reads and the
#    16-byte store of its store policy (st.global[.cs].v4.u32) where it writes;
#  - the shared-memory kernel has ld.shared.v4.u32 inside a loop;
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
tu="$work/stream_isa.cu"

# Instantiates every load policy (read, copy, triad), every store policy (write, copy, triad),
# the runner's default tunings and the shared-memory kernel.
cat > "$tu" <<'EOF'
#include <aaco/kernels/stream.hpp>
namespace k = aaco::kernels;
using aaco::stream_op;
using LP = aaco::arch::load_policy;
using SP = aaco::arch::store_policy;
template <stream_op Op, int U, LP L, SP S> void* k_() { return reinterpret_cast<void*>(&k::stream_kernel<Op, 256, U, L, S>); }
template <class T> void* tuned(stream_op op) {
    switch (op) {
    case stream_op::read: return k_<stream_op::read, T::in_flight, T::load, T::store>();
    case stream_op::write: return k_<stream_op::write, T::in_flight, T::load, T::store>();
    case stream_op::copy: return k_<stream_op::copy, T::in_flight, T::load, T::store>();
    default: return k_<stream_op::triad, T::in_flight, T::load, T::store>();
    }
}
void* kernels[] = {
    k_<stream_op::read, 4, LP::plain, SP::plain>(),
    k_<stream_op::read, 4, LP::streaming, SP::plain>(),
    k_<stream_op::read, 4, LP::last_use, SP::plain>(),
    k_<stream_op::read, 4, LP::l2_only, SP::plain>(),
    k_<stream_op::read, 4, LP::no_allocate, SP::plain>(),
    k_<stream_op::read, 8, LP::no_allocate_l2_prefetch, SP::plain>(),
    k_<stream_op::write, 4, LP::plain, SP::plain>(),
    k_<stream_op::write, 2, LP::plain, SP::streaming>(),
    k_<stream_op::copy, 4, LP::streaming, SP::streaming>(),
    k_<stream_op::triad, 4, LP::l2_only, SP::streaming>(),
    tuned<k::hbm_stream_tuning>(stream_op::read), tuned<k::hbm_stream_tuning>(stream_op::write),
    tuned<k::hbm_stream_tuning>(stream_op::copy), tuned<k::hbm_stream_tuning>(stream_op::triad),
    tuned<k::cache_stream_tuning>(stream_op::read), tuned<k::cache_stream_tuning>(stream_op::copy),
    reinterpret_cast<void*>(&k::shared_read_kernel<k::shared_memory_tuning::block_threads,
                                                   k::shared_memory_tuning::in_flight>),
};
int main() { return kernels[0] == nullptr; }
EOF

# in_loop FILE STRING: exit 0 when STRING (fixed text) occurs between a label and a later
# branch back to that label, i.e. inside a loop of the PTX function in FILE.
in_loop() {
    awk -v pat="$2" '
        { line[NR] = $0 }
        /^\$L__BB[0-9_]+:/ { l = $1; sub(/:.*/, "", l); at[l] = NR }
        END {
            found = 0
            for (i = 1; i <= NR; i++) {
                if (line[i] !~ /bra(\.uni)?[ \t]+\$L__BB/) continue
                t = line[i]; sub(/.*bra(\.uni)?[ \t]+/, "", t); sub(/;.*/, "", t)
                if (!(t in at) || at[t] >= i) continue
                for (j = at[t]; j < i; j++) if (index(line[j], pat) > 0) found = 1
            }
            exit(found ? 0 : 1)
        }' "$1"
}

load_instr() {
    case "$1" in
        0) echo "ld.global.v4.u32" ;;
        1) echo "ld.global.cs.v4.u32" ;;
        2) echo "ld.global.lu.v4.u32" ;;
        3) echo "ld.global.cg.v4.u32" ;;
        4) echo "ld.global.nc.L1::no_allocate.v4.u32" ;;
        5) echo "ld.global.nc.L1::no_allocate.L2::256B.v4.u32" ;;
    esac
}
store_instr() { [[ "$1" == 0 ]] && echo "st.global.v4.u32" || echo "st.global.cs.v4.u32"; }

fail=0
checked=0
for arch in 90a 80; do
    ptx="$work/stream_sm$arch.ptx"
    if ! "$NVCC" -std=c++17 -arch=compute_$arch -ptx -I"$src/include" "$tu" -o "$ptx"; then
        echo "FAIL: nvcc -ptx for compute_$arch failed"
        exit 1
    fi
    # One file per kernel entry.
    rm -f "$work"/entry_"$arch"_*.ptx
    awk -v dir="$work" -v arch="$arch" '
        /^\.(visible|weak) \.entry/ { n++; f = sprintf("%s/entry_%s_%03d.ptx", dir, arch, n) }
        f != "" { print > f }
        /^}/ { if (f != "") close(f); f = "" }' "$ptx"
    for e in "$work"/entry_"$arch"_*.ptx; do
        name=$(head -n 1 "$e" | sed -E 's/.*\.entry[ \t]+([A-Za-z0-9_]+).*/\1/')
        if [[ "$name" == *stream_kernel* ]]; then
            op=$(sed -E 's/.*stream_opE([0-9]).*/\1/' <<< "$name")
            lp=$(sed -E 's/.*load_policyE([0-9]).*/\1/' <<< "$name")
            sp=$(sed -E 's/.*store_policyE([0-9]).*/\1/' <<< "$name")
            expect=()
            [[ "$op" != 1 ]] && expect+=("$(load_instr "$lp")")   # read, copy, triad load
            [[ "$op" != 0 ]] && expect+=("$(store_instr "$sp")")  # write, copy, triad store
        elif [[ "$name" == *shared_read_kernel* ]]; then
            expect=("ld.shared.v4.u32")
        else
            continue
        fi
        for x in "${expect[@]}"; do
            checked=$((checked + 1))
            if in_loop "$e" "$x"; then
                echo "ok   sm_$arch $name: '$x' in a loop"
            else
                echo "FAIL sm_$arch $name: '$x' not found inside a loop"
                fail=1
            fi
        done
    done
done

# ptxas report: no spills in the memory kernels (sm_90a).
report="$work/ptxas_sm90a.txt"
if ! "$NVCC" -std=c++17 -gencode=arch=compute_90a,code=sm_90a -cubin -Xptxas -v -I"$src/include" "$tu" \
        -o "$work/stream_sm90a.cubin" > "$report" 2>&1; then
    cat "$report"
    echo "FAIL: nvcc -cubin for sm_90a failed"
    exit 1
fi
spills=$(awk '
    /Compiling entry function/ { mine = ($0 ~ /stream_kernel|shared_read_kernel/); name = $0 }
    mine && /spill stores/ {
        if ($0 !~ / 0 bytes spill stores, 0 bytes spill loads/) print name " -> " $0
    }' "$report")
n_kernels=$(grep -c -E "Compiling entry function.*(stream_kernel|shared_read_kernel)" "$report")
if [[ -n "$spills" ]]; then
    echo "FAIL: ptxas spills in memory kernels:"
    echo "$spills"
    fail=1
else
    echo "ok   ptxas: no spills in $n_kernels memory kernels (sm_90a)"
fi

if [[ $checked -eq 0 || $n_kernels -eq 0 ]]; then
    echo "FAIL: no memory kernel found in the PTX / ptxas report"
    exit 1
fi
echo "checked $checked instruction/loop pairs"
exit $fail
