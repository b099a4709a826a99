"""The native module keeps its own C++ runtime: it must work whatever libstdc++ the interpreter
loaded before it (numpy, torch). python/CMakeLists.txt says why (AACO_PYTHON_STATIC_LIBSTDCXX)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import aaco
from conftest import requires_gpu


def _module_path() -> Path:
    return Path(aaco._aaco.__file__)


def _dynamic_section(path: Path) -> str:
    readelf = shutil.which("readelf")
    if not readelf:
        pytest.skip("readelf not found (binutils)")
    return subprocess.run([readelf, "-d", "-W", str(path)], check=True, capture_output=True,
                          text=True).stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF check, Linux only")
def test_module_needs_no_shared_libstdcxx():
    # libstdc++ is what must not be shared (its inline code and locale state crashed the module).
    # libgcc_s may stay: a C library with versioned symbols, which the HIP runtime's link asks
    # for by name (hip::host), so the HIP module needs it whatever -static-libgcc says.
    needed = [l for l in _dynamic_section(_module_path()).splitlines() if "(NEEDED)" in l]
    assert needed, "readelf printed no NEEDED entries: not an ELF shared object?"
    assert not any("libstdc++" in l for l in needed), "\n".join(needed)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF check, Linux only")
def test_module_exports_only_its_init_function():
    nm = shutil.which("nm")
    if not nm:
        pytest.skip("nm not found (binutils)")
    out = subprocess.run([nm, "-D", "--defined-only", str(_module_path())], check=True,
                         capture_output=True, text=True).stdout
    exported = [l.split()[-1] for l in out.splitlines() if l.split() and l.split()[-2] in ("T", "W", "V", "D", "B", "u")]
    leaked = [s for s in exported if s != "PyInit__aaco"]
    assert not leaked, f"{len(leaked)} symbols besides PyInit__aaco, e.g. {leaked[:5]}"


_CALIBRATE_AFTER_TORCH = """
import numpy, torch
torch.cuda.init()
x = torch.ones(1024, device="cuda"); torch.cuda.synchronize()
import aaco
env = aaco.HardwareCalibrator(device_id=0).calibrate(quick=True, precisions=["bf16"],
                                                     levels=["hbm"], progress=False)
print(env.compute("bf16") > 0, env.memory("hbm") > 0)
"""


@requires_gpu
def test_calibrate_after_torch_initialised_cuda():
    """The 2026-12-01 crash: torch (and its libstdc++) first, then a calibration. Run in a child
    so that a crash fails this test with its signal instead of killing the whole suite."""
    pytest.importorskip("torch")
    pytest.importorskip("numpy")
    env = dict(os.environ)
    r = subprocess.run([sys.executable, "-c", _CALIBRATE_AFTER_TORCH], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"exit {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr[-3000:]}"
    assert r.stdout.split() == ["True", "True"], r.stdout
