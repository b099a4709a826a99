"""pytest setup of aaco's Python suite (CTest label `python`).

CTest runs it with PYTHONPATH=<build>/python and, from the build, AACO_CLI (the aaco-calibrate
binary, for files written by the C++ CLI) and AACO_SEED_CARD (the design card, when present).
GPU cases skip visibly without a GPU backend, a GPU, or torch.
"""
import os
import shutil

import pytest

import aaco


def _gpu_available() -> bool:
    if aaco.backend == "none":
        return False
    try:
        aaco.HardwareCalibrator(device_id=0)
        return True
    except aaco.NoDeviceError:
        return False


HAVE_GPU = _gpu_available()
requires_gpu = pytest.mark.skipif(not HAVE_GPU, reason="needs a GPU and a CUDA/HIP build of aaco")


@pytest.fixture
def cli():
    path = os.environ.get("AACO_CLI") or shutil.which("aaco-calibrate")
    if not path:
        pytest.skip("aaco-calibrate not found (set AACO_CLI)")
    return path


@pytest.fixture
def mi300x():
    return aaco.profile("mi300x")
