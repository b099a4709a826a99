"""HardwareCalibrator: the card's example, profile mode, the no-GPU error, bad arguments, and on
a GPU the real calibration and aaco.measure on torch."""
import io
import os
import re
import runpy
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

import aaco
from aaco.calibration import HardwareCalibrator
from conftest import HAVE_GPU, requires_gpu

HERE = Path(__file__).resolve().parent
CARD_COPY = HERE / "card_example.py"


def _card_block() -> str:
    """The card's code block: the committed verbatim copy, checked against the card itself."""
    text = CARD_COPY.read_text(encoding="utf-8")
    block = "".join(l for l in text.splitlines(True) if not l.startswith("# The seed card") and
                    not l.startswith("# test_card_example"))
    card = os.environ.get("AACO_SEED_CARD")
    if card and Path(card).exists():
        m = re.search(r"## Usage\n\n```python\n(.*?)```", Path(card).read_text(encoding="utf-8"), re.S)
        assert m, "the card has no Usage block"
        assert m.group(1) == block, "tests/python/card_example.py no longer matches the card"
    return block


def _run(code: str) -> str:
    buf = io.StringIO()
    with redirect_stdout(buf):
        exec(compile(code, "card_example", "exec"), {"__name__": "__card__"})
    return buf.getvalue()


def test_card_example_in_profile_mode_prints_four_lines():
    code = _card_block().replace("HardwareCalibrator(device_id=0)", 'HardwareCalibrator(profile="mi300x")')
    assert 'profile="mi300x"' in code
    lines = _run(code).splitlines()
    assert len(lines) == 4
    assert lines[0] == "Compute ceiling: 1307.4 TFLOPS"
    assert lines[1] == "Memory ceiling: 5324.8 GB/s"
    assert lines[2] == "Launch floor: None μs"   # a datasheet states none; nothing is invented
    assert re.fullmatch(r"HEU: 100\.2%", lines[3]), lines[3]  # 800 / (150 x 5.3248) = 1.0016


@pytest.mark.skipif(HAVE_GPU, reason="checks the no-GPU path")
def test_card_example_verbatim_without_gpu_raises_no_device_error():
    with pytest.raises(aaco.NoDeviceError) as info:
        _run(_card_block())
    msg = str(info.value)
    assert isinstance(info.value, RuntimeError)
    # The library's own message names the cause: a host-only build, or no device/driver.
    assert ("without a GPU backend" in msg) or ("driver" in msg.lower()) or ("device" in msg.lower())


def test_profile_mode_says_so():
    c = HardwareCalibrator(profile="mi300x")
    assert "datasheet" in repr(c) and "MI300X" in repr(c)
    env = c.calibrate()
    assert env.source == "datasheet"
    assert c.envelope is env
    assert c.compute_heu(800, 150).binding_ceiling == "hbm"


@pytest.mark.parametrize("kwargs, exc, words", [
    ({"device_id": "0"}, TypeError, "device_id"),
    ({"device_id": 1.5}, TypeError, "device_id"),
    ({"device_id": True}, TypeError, "device_id"),
    ({"device_id": -1}, ValueError, "device_id"),
    ({"profile": "nosuch"}, ValueError, "nosuch"),
])
def test_bad_constructor_arguments(kwargs, exc, words):
    with pytest.raises(exc, match=words):
        HardwareCalibrator(**kwargs)


@pytest.mark.parametrize("kwargs, exc, words", [
    ({"precisions": ["fp99"]}, ValueError, "fp99"),
    ({"precisions": [16]}, TypeError, "precisions"),
    ({"levels": ["l9"]}, ValueError, "l9"),
    ({"sustained": -1}, ValueError, "sustained"),
    ({"sustained": "10"}, TypeError, "sustained"),
    ({"progress": 3}, TypeError, "progress"),
])
def test_bad_calibrate_arguments(kwargs, exc, words):
    c = HardwareCalibrator(profile="mi300x")
    with pytest.raises(exc, match=words):
        c.calibrate(**kwargs)


def test_measure_without_gpu_is_a_clear_error():
    if HAVE_GPU:
        pytest.skip("checks the no-GPU path")
    with pytest.raises(aaco.NoDeviceError):
        aaco.measure(lambda: None, flops=1, bytes=1)
    with pytest.raises(TypeError, match="fn"):
        aaco.measure(42, flops=1, bytes=1)


class _FakeTorchStream:
    def __init__(self, handle):
        self.cuda_stream = handle


@pytest.mark.parametrize("stream, exc, words", [
    ("0x10", TypeError, "stream must be"),
    (1.5, TypeError, "stream must be"),
    (True, TypeError, "stream must be"),
    (-1, ValueError, r"stream handle must be in \[0, 2\*\*64\)"),
    (1 << 64, ValueError, "stream handle"),
    (_FakeTorchStream(-5), ValueError, "stream handle"),
])
def test_measure_refuses_a_bad_stream_before_any_device_work(stream, exc, words):
    with pytest.raises(exc, match=words):
        aaco.measure(lambda: None, flops=1, bytes=1, stream=stream)


@requires_gpu
def test_measure_times_on_the_callers_stream():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("torch sees no GPU")
    env = aaco.profile("h200-sxm")
    x = torch.rand(1 << 24, device="cuda")
    y = torch.empty_like(x)
    side = torch.cuda.Stream()
    seen = []

    def work():
        seen.append(torch.cuda.current_stream().cuda_stream)
        torch.mul(x, 2.0, out=y)

    for s in (torch.cuda.current_stream(), side):
        seen.clear()
        m = aaco.measure(work, flops=x.numel(), bytes=8 * x.numel(), precision="fp32", envelope=env,
                         quick=True, stream=s)
        assert m.achieved_gbps > 0 and m.samples >= 10
        assert set(seen) == {s.cuda_stream}, (seen, s.cuda_stream)  # enqueued where it was timed
    side.synchronize()  # aaco did not destroy the caller's stream
    assert torch.equal(y, x * 2)


@requires_gpu
def test_card_example_verbatim_on_a_gpu():
    lines = _run(_card_block()).splitlines()
    assert len(lines) == 4
    fp16 = float(lines[0].split()[2])
    hbm = float(lines[1].split()[2])
    assert fp16 > 0 and hbm > 0
    assert lines[3].startswith("HEU: ")


@requires_gpu
def test_measure_a_torch_matmul():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("torch sees no GPU")
    env = HardwareCalibrator(device_id=0).calibrate(quick=True, precisions=["bf16"], levels=["hbm"],
                                                    progress=False)
    n = 4096
    a = torch.rand(n, n, device="cuda", dtype=torch.bfloat16) * 2 - 1
    b = torch.rand(n, n, device="cuda", dtype=torch.bfloat16) * 2 - 1
    c = torch.empty(n, n, device="cuda", dtype=torch.bfloat16)
    m = aaco.measure(lambda: torch.matmul(a, b, out=c), flops=2 * n**3, bytes=3 * n * n * 2,
                     precision="bf16", envelope=env, quick=True)
    assert m.achieved_tflops > 0 and m.samples >= 2
    assert 0 < float(m.heu) <= 1.0, m          # no library may beat the ceiling
    assert m.heu.binding_ceiling.startswith("bf16")
    torch.cuda.synchronize()
    ref = a.float() @ b.float()
    assert torch.allclose(c.float(), ref, rtol=3e-2, atol=3e-1)
