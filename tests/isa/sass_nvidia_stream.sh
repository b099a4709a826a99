#!/usr/bin/env bash
# SASS check of the memory kernels for sm_90a (GPU machine: needs cuobjdump):
#  - stream kernels that read have a 128-bit global load (LDG.E[.modifiers].128...) inside a
#    loop, kernels that write a 128-bit global store (STG.E[.modifiers].128);
#  - the shared-memory kernel has LDS[.U].128 inside a loop;
#  - a one_shot stream kernel (one tile per thread: no loop) has them anywhere.
# Contract (tests/isa): AACO_SOURCE_DIR, AACO_ISA_WORKDIR, NVCC and CUOBJDUMP (either empty or
# missing => skip, exit 77).
set -u
if [[ -z "${NVCC:-}" || ! -x "${NVCC}" ]]; then
    echo "SKIP: NVCC is not set"
    exit 77
fi
cuobjdump="${CUOBJDUMP:-}"
if [[ -z "$cuobjdump" || ! -x "$cuobjdump" ]]; then
    echo "SKIP: cuobjdump not available (CUOBJDUMP='${CUOBJDUMP:-}'); it exists on the GPU machine only"
    exit 77
fi
src="${AACO_SOURCE_DIR:?AACO_SOURCE_DIR must name the repository root}"
work="${AACO_ISA_WORKDIR:?AACO_ISA_WORKDIR must name a scratch directory}"
mkdir -p "$work"
tu="$work/stream_sass.cu"

cat > "$tu" <<'EOF'
#include <aaco/kernels/stream.hpp>
namespace k = aaco::kernels;
using aaco::stream_op;
template <stream_op Op, class T> void* tuned() {
    return reinterpret_cast<void*>(&k::stream_kernel<Op, T::block_threads, T::in_flight, T::load, T::store, T::mapping>);
}
void* kernels[] = {
    tuned<stream_op::read, k::hbm_read_stream_tuning>(), tuned<stream_op::write, k::hbm_write_stream_tuning>(),
    tuned<stream_op::copy, k::hbm_copy_stream_tuning>(), tuned<stream_op::triad, k::hbm_copy_stream_tuning>(),
    tuned<stream_op::read, k::cache_stream_tuning>(),    tuned<stream_op::triad, k::cache_stream_tuning>(),
    reinterpret_cast<void*>(&k::shared_read_kernel<k::shared_memory_tuning::block_threads,
                                                   k::shared_memory_tuning::in_flight,
                                                   k::shared_memory_tuning::min_blocks_per_unit>),
};
int main() { return kernels[0] == nullptr; }
EOF

cubin="$work/stream_sm90a.cubin"
if ! "$NVCC" -std=c++17 -gencode=arch=compute_90a,code=sm_90a -cubin -I"$src/include" "$tu" -o "$cubin"; then
    echo "FAIL: nvcc -cubin for sm_90a failed"
    exit 1
fi
sass="$work/stream_sm90a.sass"
if ! "$cuobjdump" -sass "$cubin" > "$sass"; then
    echo "FAIL: cuobjdump -sass failed"
    exit 1
fi

# One file per function.
rm -f "$work"/func_*.sass
awk -v dir="$work" '
    /Function :/ { n++; if (f != "") close(f); f = sprintf("%s/func_%03d.sass", dir, n) }
    f != "" { print > f }' "$sass"

# in_loop FILE REGEX: prints "loop" when REGEX matches an instruction between the target of a
# backward branch and that branch, "present" when it matches but no loop containing it was found
# while the function has backward branches, "present-noloops" when the function shows no
# backward branch that could be parsed, and "absent" otherwise.
in_loop() {
    awk -v re="$2" '
        function hex(s,    i, c, v) {
            v = 0; s = tolower(s); sub(/^0x/, "", s)
            for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)); if (c == 0) break; v = v * 16 + c - 1 }
            return v
        }
        /^[ \t]*\.L_x_[0-9]+:/ { l = $1; sub(/:.*/, "", l); pending[l] = 1; next }
        match($0, /\/\*[0-9a-f][0-9a-f][0-9a-f][0-9a-f]+\*\//) {
            a = hex(substr($0, RSTART + 2, RLENGTH - 4))
            for (l in pending) { label[l] = a; delete pending[l] }
            n++; addr[n] = a; text[n] = $0
        }
        END {
            loops = 0; inloop = 0; present = 0
            for (i = 1; i <= n; i++) {
                if (text[i] ~ re) present = 1
                if (text[i] !~ /BRA/) continue
                t = -1
                if (match(text[i], /\.L_x_[0-9]+/)) { l = substr(text[i], RSTART, RLENGTH); if (l in label) t = label[l] }
                else if (match(text[i], /BRA[^;]*0x[0-9a-f]+/)) { s = substr(text[i], RSTART, RLENGTH); sub(/.*0x/, "0x", s); t = hex(s) }
                if (t < 0 || t > addr[i]) continue
                loops++
                for (j = 1; j <= i; j++) if (addr[j] >= t && text[j] ~ re) inloop = 1
            }
            if (inloop) print "loop"; else if (present && loops == 0) print "present-noloops";
            else if (present) print "present"; else print "absent"
        }' "$1"
}

ldg='LDG\.E[.A-Z0-9_]*128'
stg='STG\.E[.A-Z0-9_]*128'
lds='LDS[.A-Z0-9_]*128'
fail=0
checked=0
for f in "$work"/func_*.sass; do
    name=$(grep -m1 "Function :" "$f" | sed -E 's/.*Function : *//')
    expect=()
    one_shot=0
    if [[ "$name" == *stream_kernel* ]]; then
        op=$(sed -E 's/.*stream_opE([0-9]).*/\1/' <<< "$name")
        [[ "$(sed -E 's/.*stream_mappingE([0-9]).*/\1/' <<< "$name")" == 2 ]] && one_shot=1
        [[ "$op" != 1 ]] && expect+=("$ldg")
        [[ "$op" != 0 ]] && expect+=("$stg")
    elif [[ "$name" == *shared_read_kernel* ]]; then
        expect=("$lds")
    else
        continue
    fi
    for re in "${expect[@]}"; do
        checked=$((checked + 1))
        where=$(in_loop "$f" "$re")
        if [[ $one_shot -eq 1 && "$where" != absent ]]; then
            echo "ok   $name: /$re/ present (one_shot: no loop)"
            continue
        fi
        case "$where" in
            loop) echo "ok   $name: /$re/ inside a loop" ;;
            present-noloops) echo "ok   $name: /$re/ present (no loop structure could be parsed from this cuobjdump's output)" ;;
            present) echo "FAIL $name: /$re/ present but not inside any loop"; fail=1 ;;
            *) echo "FAIL $name: no instruction matches /$re/"; fail=1 ;;
        esac
    done
done
if [[ $checked -eq 0 ]]; then
    echo "FAIL: no memory kernel found in the SASS"
    exit 1
fi
echo "checked $checked instruction/loop pairs"
exit $fail
