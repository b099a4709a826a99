# Shared by the AMD ISA checks (tests/isa/isa_amd_*.sh); sourced, not a test of its own.
#
# Two compilers produce the AMDGPU assembly the checks read:
#   - hipcc (Debian's HIP 5.2, LLVM 15): the full host + device build that the hip preset ships,
#     for gfx908, gfx90a and gfx940 (--save-temps keeps one .s per arch);
#   - clang-22 (Debian 12's clang-22, LLVM 22), device only, for gfx908, gfx90a, gfx942 and
#     gfx950: the one compiler here that knows every CDNA target aaco has a path for. clang-22
#     rejects gfx940/gfx941; gfx942 has the same instruction set.
#
# Environment: AACO_SOURCE_DIR, AACO_ISA_WORKDIR, HIPCC, CLANG22 (tests/CMakeLists.txt sets
# them; an unset or *-NOTFOUND compiler is left out).
#
# A script sources this file, defines check_arch ARCH FILE.s (its checks of one arch's assembly,
# reporting through `fail`), runs amd_compile_and_check from its work directory, and ends with
# amd_finish.

amd_src=${AACO_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
amd_work=${AACO_ISA_WORKDIR:-$(mktemp -d)}
amd_hipcc=${HIPCC:-}
amd_clang22=${CLANG22:-}
case "$amd_hipcc" in *NOTFOUND*) amd_hipcc="" ;; esac
case "$amd_clang22" in *NOTFOUND*) amd_clang22="" ;; esac
amd_hipcc_archs="gfx908 gfx90a gfx940"
amd_clang22_archs="gfx908 gfx90a gfx942 gfx950"
amd_checked=""   # compiler:archs that were compiled and checked
amd_missing=""   # compilers that were not set
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Nothing to run: skip before creating anything.
if [ -z "$amd_hipcc" ] && [ -z "$amd_clang22" ]; then
    echo "SKIP: neither HIPCC nor CLANG22 is set"
    exit 77
fi

# amd_hipcc_asm TU PREFIX [flags...]: hipcc --save-temps for amd_hipcc_archs in the current
# directory; the .s of arch A is then PREFIX-hip-amdgcn-amd-amdhsa-A.s. Output in hipcc.log.
amd_hipcc_asm() {
    local tu=$1 prefix=$2
    shift 2
    local offload=() a
    for a in $amd_hipcc_archs; do offload+=("--offload-arch=$a"); done
    rm -f "$prefix"-hip-amdgcn-amd-amdhsa-*.s
    "$amd_hipcc" -std=c++17 -O3 "${offload[@]}" --save-temps -I"$amd_src/include" "$@" \
        -c "$tu" -o "$prefix.o" > hipcc.log 2>&1
}

# amd_clang22_asm ARCH TU OUT [flags...]: clang-22 device-only assembly of TU for ARCH into OUT.
# Output in clang22-ARCH.log. With Debian's HIP 5.2 headers clang-22 needs
#   -I<resource dir>                 the headers include <include/cuda_wrappers/...> from there;
#   -nogpulib                        no device libraries (aaco's kernels use builtins only);
#   -D__AMDGCN_WAVEFRONT_SIZE=64     no longer predefined by clang-22, still read by HIP 5.2's
#                                    amd_warp_functions.h (every CDNA part runs wave64);
#   -include clang22_hip52_shim.hpp  the two fp16 reciprocal helpers clang-22's HIP wrapper
#                                    dropped (see that file).
amd_clang22_asm() {
    local arch=$1 tu=$2 out=$3 resource
    shift 3
    resource=$("$amd_clang22" -print-resource-dir)
    "$amd_clang22" -x hip --offload-arch="$arch" -nogpulib --cuda-device-only -S -O3 -std=c++17 \
        -D__AMDGCN_WAVEFRONT_SIZE=64 -include "$amd_src/tests/isa/clang22_hip52_shim.hpp" \
        -I"$amd_src/include" -I"$resource" "$@" "$tu" -o "$out" > "clang22-$arch.log" 2>&1
}

# amd_summarise FILE.s: the facts of an AMDGPU assembly file, one per line:
#   ANY <function> <mnemonic> <count>          every v_mfma* in the function
#   LOOP <function> <label> <mnemonic> <count> every instruction between a label and a branch back to it
#   SCRATCH <kernel> <bytes>                   private segment size from the kernel descriptor
#   SPILL <kernel> <sgpr spills> <vgpr spills> from the code object metadata
amd_summarise() {
    awk '
    function flush_any(   m) { for (m in any) print "ANY", fn, m, any[m]; delete any }
    /^[A-Za-z_][A-Za-z0-9_.$]*:/ && $0 !~ /^\./ {
        flush_any(); fn = substr($1, 1, length($1) - 1); n = 0; delete label; next
    }
    /^\.LBB[0-9_]+:/ { label[substr($1, 1, length($1) - 1)] = n; next }
    /^[ \t]+\.amdhsa_kernel[ \t]/ { kern = $2 }
    /^[ \t]+\.amdhsa_private_segment_fixed_size[ \t]/ { print "SCRATCH", kern, $2 }
    # Metadata: a kernel entry lists its .name after its .args and before its spill counts.
    /^[ \t]+\.name:[ \t]/ { meta = $2 }
    /^[ \t]+\.sgpr_spill_count:[ \t]/ { sgpr_spills = $2 }
    /^[ \t]+\.vgpr_spill_count:[ \t]/ { print "SPILL", meta, sgpr_spills, $2 }
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

# amd_check_resources FACTS KERNEL WHAT: fails (via `fail`) unless KERNEL has no scratch and no
# register spills; FACTS is amd_summarise output.
amd_check_resources() {
    local facts=$1 kernel=$2 what=$3 scratch spills
    scratch=$(printf '%s\n' "$facts" | awk -v k="$kernel" '$1 == "SCRATCH" && $2 == k { print $3 }')
    [ "$scratch" = "0" ] || fail "$what: scratch (private segment) is '$scratch' bytes, expected 0"
    spills=$(printf '%s\n' "$facts" | awk -v k="$kernel" '$1 == "SPILL" && $2 == k { print $3 "/" $4 }')
    [ "$spills" = "0/0" ] || fail "$what: sgpr/vgpr spills are '$spills', expected 0/0"
}

# amd_compile_and_check WHAT TU [flags...]: compiles TU (in the current directory) with each
# compiler that is set, for each of its archs, and runs check_arch ARCH FILE.s on every result.
amd_compile_and_check() {
    local what=$1 tu=$2 prefix arch asm
    shift 2
    prefix=$(basename "${tu%.*}")
    if [ -n "$amd_hipcc" ]; then
        echo "== $amd_hipcc $* --offload-arch=${amd_hipcc_archs// /,} --save-temps"
        if amd_hipcc_asm "$tu" "$prefix" "$@"; then
            for arch in $amd_hipcc_archs; do
                asm=$prefix-hip-amdgcn-amd-amdhsa-$arch.s
                if [ -f "$asm" ]; then check_arch "$arch" "$asm"; else fail "$arch: $asm not produced"; fi
            done
            amd_checked="$amd_checked hipcc:${amd_hipcc_archs// /,}"
        else
            cat hipcc.log
            fail "hipcc could not compile the $what"
        fi
    else
        amd_missing="$amd_missing HIPCC"
    fi
    if [ -n "$amd_clang22" ]; then
        for arch in $amd_clang22_archs; do
            echo "== $amd_clang22 $* -x hip --offload-arch=$arch --cuda-device-only -S (amd_common.sh)"
            asm=$prefix-clang22-$arch.s
            if amd_clang22_asm "$arch" "$tu" "$asm" "$@"; then
                check_arch "$arch" "$asm"
            else
                cat "clang22-$arch.log"
                fail "clang-22 could not compile the $what for $arch"
            fi
        done
        amd_checked="$amd_checked clang-22:${amd_clang22_archs// /,}"
    else
        amd_missing="$amd_missing CLANG22"
    fi
}

# amd_finish: exit 1 when any check or compile failed, 77 when a compiler was missing (what the
# other compiled was still checked), else 0.
amd_finish() {
    echo "checked:$amd_checked"
    if [ "$failures" -ne 0 ]; then
        echo "$failures check(s) failed"
        exit 1
    fi
    if [ -n "$amd_missing" ]; then
        echo "SKIP: not set:$amd_missing (what was compiled passed; the rest was not checked)"
        exit 77
    fi
    echo "PASS"
    exit 0
}
