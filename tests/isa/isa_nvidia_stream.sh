#!/usr/bin/env bash
# ISA check of the memory kernels for sm_90a (and sm_80), read from the PTX and ptxas's report:
#  - every stream kernel has, inside a loop, the 16-byte load of its load policy
#    (ld.global[.cs|.lu|.cg|.nc.L1::no_allocate[.L2::256B]].v4.u32) where it reads and the
#    16-byte store of its store policy (st.global[.cs].v4.u32) where it writes, and its
#    innermost loop holding loads has a positive multiple of in_flight x arrays read of them
#    (grid_stride and block_chunks mappings); a one_shot kernel (one tile per thread, no loop)
#    has them anywhere, at least in_flight x arrays read loads;
#  - the shared-memory kernel's loop holds exactly in_flight ld.shared.v4.u32: the runner counts
#    in_flight x 16 bytes per thread per iteration, so fewer loads in the loop (hoisted or
#    merged by the compiler) would over-count bytes;
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
using MP = aaco::kernels::stream_mapping;
template <stream_op Op, int U, LP L, SP S, MP M = MP::grid_stride> void* k_() {
    return reinterpret_cast<void*>(&k::stream_kernel<Op, 256, U, L, S, M>);
}
template <stream_op Op, class T> void* tuned() {
    return reinterpret_cast<void*>(&k::stream_kernel<Op, T::block_threads, T::in_flight, T::load, T::store, T::mapping>);
}
void* kernels[] = {
    k_<stream_op::read, 4, LP::plain, SP::plain>(),
    k_<stream_op::read, 4, LP::streaming, SP::plain>(),
    k_<stream_op::read, 4, LP::last_use, SP::plain>(),
    k_<stream_op::read, 4, LP::l2_only, SP::plain>(),
    k_<stream_op::read, 4, LP::no_allocate, SP::plain>(),
    k_<stream_op::read, 8, LP::no_allocate_l2_prefetch, SP::plain>(),
    k_<stream_op::read, 16, LP::no_allocate, SP::plain, MP::block_chunks>(),
    k_<stream_op::write, 4, LP::plain, SP::plain>(),
    k_<stream_op::write, 2, LP::plain, SP::streaming>(),
    k_<stream_op::write, 8, LP::plain, SP::streaming, MP::block_chunks>(),
    k_<stream_op::copy, 4, LP::streaming, SP::streaming>(),
    k_<stream_op::copy, 8, LP::l2_only, SP::plain, MP::block_chunks>(),
    k_<stream_op::triad, 4, LP::l2_only, SP::streaming>(),
    k_<stream_op::triad, 8, LP::no_allocate, SP::streaming, MP::block_chunks>(),
    k_<stream_op::copy, 2, LP::l2_only, SP::streaming, MP::one_shot>(),
    tuned<stream_op::copy, k::nvidia_hbm_copy_tuning>(), tuned<stream_op::write, k::nvidia_hbm_write_tuning>(),
    tuned<stream_op::read, k::hbm_read_stream_tuning>(),  tuned<stream_op::write, k::hbm_write_stream_tuning>(),
    tuned<stream_op::copy, k::hbm_copy_stream_tuning>(),  tuned<stream_op::triad, k::hbm_copy_stream_tuning>(),
    tuned<stream_op::read, k::cache_stream_tuning>(),     tuned<stream_op::copy, k::cache_stream_tuning>(),
    reinterpret_cast<void*>(&k::shared_read_kernel<k::shared_memory_tuning::block_threads,
                                                   k::shared_memory_tuning::in_flight,
                                                   k::shared_memory_tuning::min_blocks_per_unit>),
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

# innermost_count FILE STRING: how many lines containing STRING the smallest loop (label to a
# later branch back to it) that contains any has; 0 when no loop contains one.
innermost_count() {
    awk -v pat="$2" '
        { line[NR] = $0 }
        /^\$L__BB[0-9_]+:/ { l = $1; sub(/:.*/, "", l); at[l] = NR }
        END {
            best_span = -1; best = 0
            for (i = 1; i <= NR; i++) {
                if (line[i] !~ /bra(\.uni)?[ \t]+\$L__BB/) continue
                t = line[i]; sub(/.*bra(\.uni)?[ \t]+/, "", t); sub(/;.*/, "", t)
                if (!(t in at) || at[t] >= i) continue
                c = 0
                for (j = at[t]; j < i; j++) if (index(line[j], pat) > 0) c++
                if (c > 0 && (best_span < 0 || i - at[t] < best_span)) { best_span = i - at[t]; best = c }
            }
            print best
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
        count_pat=""
        count_want=0
        count_exact=0
        one_shot=0
        if [[ "$name" == *stream_kernel* ]]; then
            [[ "$(sed -E 's/.*stream_mappingE([0-9]).*/\1/' <<< "$name")" == 2 ]] && one_shot=1
            op=$(sed -E 's/.*stream_opE([0-9]).*/\1/' <<< "$name")
            in_flight=$(sed -E 's/.*stream_opE[0-9]ELi[0-9]+ELi([0-9]+)E.*/\1/' <<< "$name")
            lp=$(sed -E 's/.*load_policyE([0-9]).*/\1/' <<< "$name")
            sp=$(sed -E 's/.*store_policyE([0-9]).*/\1/' <<< "$name")
            expect=()
            [[ "$op" != 1 ]] && expect+=("$(load_instr "$lp")")   # read, copy, triad load
            [[ "$op" != 0 ]] && expect+=("$(store_instr "$sp")")  # write, copy, triad store
            if [[ "$op" != 1 ]]; then
                count_pat="ld.global"
                reads=1
                [[ "$op" == 3 ]] && reads=2
                count_want=$((in_flight * reads))
            fi
        elif [[ "$name" == *shared_read_kernel* ]]; then
            expect=("ld.shared.v4.u32")
            count_pat="ld.shared.v4.u32"
            count_want=$(sed -E 's/.*shared_read_kernelILi[0-9]+ELi([0-9]+)E.*/\1/' <<< "$name")
            count_exact=1
        else
            continue
        fi
        for x in "${expect[@]}"; do
            checked=$((checked + 1))
            if [[ $one_shot -eq 1 ]] && grep -qF -- "$x" "$e"; then
                echo "ok   sm_$arch $name: '$x' present (one_shot: no loop)"
            elif [[ $one_shot -eq 0 ]] && in_loop "$e" "$x"; then
                echo "ok   sm_$arch $name: '$x' in a loop"
            else
                echo "FAIL sm_$arch $name: '$x' not found inside a loop"
                fail=1
            fi
        done
        if [[ -n "$count_pat" ]]; then
            checked=$((checked + 1))
            if [[ $one_shot -eq 1 ]]; then
                got=$(grep -cF -- "$count_pat" "$e")
                if [[ "$got" -ge "$count_want" ]]; then
                    echo "ok   sm_$arch $name: $got x '$count_pat' (one_shot: at least $count_want per thread)"
                else
                    echo "FAIL sm_$arch $name: $got x '$count_pat', the runner counts $count_want per thread"
                    fail=1
                fi
                continue
            fi
            got=$(innermost_count "$e" "$count_pat")
            if [[ $count_exact -eq 1 && "$got" -eq "$count_want" ]] ||
               [[ $count_exact -eq 0 && "$got" -gt 0 && $((got % count_want)) -eq 0 ]]; then
                echo "ok   sm_$arch $name: innermost loop has $got x '$count_pat' (counted per iteration: $count_want)"
            else
                echo "FAIL sm_$arch $name: innermost loop has $got x '$count_pat', the runner counts $count_want per iteration${count_exact:+ (must be equal)}"
                fail=1
            fi
        fi
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
