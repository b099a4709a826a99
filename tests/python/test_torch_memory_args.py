"""benchmarks/torch_memory.py refuses out-of-range arguments before it needs torch or a GPU."""
import os
import subprocess
import sys

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks", "torch_memory.py")


@pytest.mark.parametrize("args, message", [
    (["--rounds", "1"], "--rounds must be in [2, 20], got 1"),
    (["--rounds", "21"], "--rounds must be in [2, 20], got 21"),
    (["--mib", "32"], "--mib must be in [64, 8192], got 32"),
    (["--mib", "9000"], "--mib must be in [64, 8192], got 9000"),
    (["--device", "-1"], "--device must be >= 0, got -1"),
    (["--rounds", "three"], "invalid int value"),
])
def test_bad_arguments_exit_2_naming_the_flag(args, message):
    r = subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert message in r.stderr
