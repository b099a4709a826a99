#!/usr/bin/env bash
# ISA check of the memory kernels for AMD, read from the .s that hipcc --save-temps leaves for
# gfx908, gfx90a and gfx940 and that clang-22 produces device-only for gfx908, gfx90a, gfx942
# and gfx950 (tests/isa/amd_common.sh has both compilers' flags):
#  - stream kernels that read have global_load_dwordx4 inside a loop, kernels that write
#    global_store_dwordx4 inside a loop; the streaming (nontemporal) policies carry the
#    nontemporal bits (gfx908/gfx90a: slc, gfx94x/gfx950: nt);
#  - the LDS kernel has ds_read_b128 inside a loop, exactly in_flight of them in its innermost
#    loop (the runner counts in_flight x 16 bytes per lane per iteration);
#  - no kernel uses scratch or spills registers.
# Contract (tests/isa): AACO_SOURCE_DIR, AACO_ISA_WORKDIR, HIPCC, CLANG22. Exit 0 = every arch
# checked and passed, 77 = skip (no compiler, or one of the two missing: then the other one's
# archs are still checked), anything else = fail.
set -u
. "$(dirname "$0")/amd_common.sh"
src="$amd_src"
work="$amd_work"
mkdir -p "$work"
tu="$work/stream_isa.cpp"

# Both AMD load policies and both store policies, the runner's tunings and the LDS kernel.
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
    k_<stream_op::write, 4, LP::plain, SP::plain>(),
    k_<stream_op::write, 4, LP::plain, SP::streaming>(),
    k_<stream_op::copy, 2, LP::streaming, SP::streaming>(),
    k_<stream_op::copy, 8, LP::plain, SP::streaming, MP::block_chunks>(),
    tuned<stream_op::read, k::hbm_read_stream_tuning>(),  tuned<stream_op::write, k::hbm_write_stream_tuning>(),
    tuned<stream_op::copy, k::hbm_copy_stream_tuning>(),  tuned<stream_op::triad, k::hbm_copy_stream_tuning>(),
    tuned<stream_op::read, k::cache_stream_tuning>(),     tuned<stream_op::triad, k::cache_stream_tuning>(),
    reinterpret_cast<void*>(&k::shared_read_kernel<k::shared_memory_tuning::block_threads,
                                                   k::shared_memory_tuning::in_flight,
                                                   k::shared_memory_tuning::min_blocks_per_unit>),
};
int main() { return kernels[0] == nullptr; }
EOF
# in_loop FILE REGEX: exit 0 when an instruction matching REGEX lies between a label and a
# later branch back to it (s_branch / s_cbranch_*) in the function in FILE.
in_loop() {
    awk -v re="$2" '
        { line[NR] = $0 }
        /^\.LBB[0-9_]+:/ { l = $1; sub(/:.*/, "", l); at[l] = NR }
        END {
            found = 0
            for (i = 1; i <= NR; i++) {
                if (line[i] !~ /^[ \t]*s_(c)?branch[a-z_0-9]*[ \t]+\.LBB/) continue
                t = line[i]; sub(/.*[ \t]\.LBB/, ".LBB", t); sub(/[ \t;].*/, "", t)
                if (!(t in at) || at[t] >= i) continue
                for (j = at[t]; j < i; j++) if (line[j] ~ re) found = 1
            }
            exit(found ? 0 : 1)
        }' "$1"
}

# innermost_count FILE REGEX: matches of REGEX in the smallest loop that holds any (0: none).
innermost_count() {
    awk -v re="$2" '
        { line[NR] = $0 }
        /^\.LBB[0-9_]+:/ { l = $1; sub(/:.*/, "", l); at[l] = NR }
        END {
            best_span = -1; best = 0
            for (i = 1; i <= NR; i++) {
                if (line[i] !~ /^[ \t]*s_(c)?branch[a-z_0-9]*[ \t]+\.LBB/) continue
                t = line[i]; sub(/.*[ \t]\.LBB/, ".LBB", t); sub(/[ \t;].*/, "", t)
                if (!(t in at) || at[t] >= i) continue
                c = 0
                for (j = at[t]; j < i; j++) if (line[j] ~ re) c++
                if (c > 0 && (best_span < 0 || i - at[t] < best_span)) { best_span = i - at[t]; best = c }
            }
            print best
        }' "$1"
}

checked=0
# check_arch ARCH FILE: splits FILE (an AMDGPU .s) into functions and checks the memory kernels.
check_arch() {
    local arch="$1" s="$2" nt_re
    case "$arch" in
        gfx90a|gfx908) nt_re='slc' ;;  # gfx94x and gfx950 spell it nt
        *) nt_re='[ \t]nt([ \t]|$)' ;;
    esac
    local facts
    facts=$(amd_summarise "$s")
    rm -f "$work"/fn_"$arch"_*.s
    awk -v dir="$work" -v arch="$arch" '
        /^_Z[A-Za-z0-9_]*:/ { n++; if (f != "") close(f); f = sprintf("%s/fn_%s_%03d.s", dir, arch, n) }
        /^\.Lfunc_end/ { if (f != "") close(f); f = "" }
        f != "" { print > f }' "$s"
    local f name op lp sp
    for f in "$work"/fn_"$arch"_*.s; do
        [[ -e "$f" ]] || continue
        name=$(head -n 1 "$f" | sed -E 's/:.*//')
        local expect=()
        if [[ "$name" == *stream_kernel* || "$name" == *shared_read_kernel* ]]; then
            checked=$((checked + 1))
            local before=$failures
            amd_check_resources "$facts" "$name" "$arch $name"
            [[ $failures -eq $before ]] && echo "ok   $arch $name: no scratch, no spills"
        fi
        if [[ "$name" == *stream_kernel* ]]; then
            op=$(sed -E 's/.*stream_opE([0-9]).*/\1/' <<< "$name")
            lp=$(sed -E 's/.*load_policyE([0-9]).*/\1/' <<< "$name")
            sp=$(sed -E 's/.*store_policyE([0-9]).*/\1/' <<< "$name")
            if [[ "$op" != 1 ]]; then
                expect+=("global_load_dwordx4")
                [[ "$lp" == 1 ]] && expect+=("global_load_dwordx4.*$nt_re")
            fi
            if [[ "$op" != 0 ]]; then
                expect+=("global_store_dwordx4")
                [[ "$sp" == 1 ]] && expect+=("global_store_dwordx4.*$nt_re")
            fi
        elif [[ "$name" == *shared_read_kernel* ]]; then
            expect=("ds_read_b128")
            local want got
            want=$(sed -E 's/.*shared_read_kernelILi[0-9]+ELi([0-9]+)E.*/\1/' <<< "$name")
            got=$(innermost_count "$f" "ds_read_b128")
            checked=$((checked + 1))
            if [[ "$got" -eq "$want" ]]; then
                echo "ok   $arch $name: innermost loop has $got ds_read_b128 (counted per iteration: $want)"
            else
                fail "$arch $name: innermost loop has $got ds_read_b128, the runner counts $want per iteration"
            fi
        else
            continue
        fi
        local re
        for re in "${expect[@]}"; do
            checked=$((checked + 1))
            if in_loop "$f" "$re"; then
                echo "ok   $arch $name: /$re/ in a loop"
            else
                fail "$arch $name: /$re/ not found inside a loop"
            fi
        done
    done
}

cd "$work" || exit 2
amd_compile_and_check "memory kernels" "$tu"
if [[ $checked -eq 0 ]]; then
    fail "no memory kernel found in the AMD assembly"
fi
echo "checked $checked instruction/loop pairs and kernel resources"
amd_finish
