"""Profiles, the envelope's attributes and the roofline math, without a GPU."""
import math
import subprocess

import pytest

import aaco


def test_profiles_list_every_card():
    keys = aaco.profiles()
    for k in ("mi100", "mi210", "mi300x", "mi355x", "a100-sxm", "h100-sxm", "h200-sxm"):
        assert k in keys


def test_datasheet_figures_are_the_corrected_ones(mi300x):
    # design.md section 5: MI300X fp16 1307.4, fp32 163.4 (not the seed's 653), HBM 5324.8
    assert mi300x.source == "datasheet"
    assert mi300x.compute_tflops == pytest.approx(1307.4, rel=1e-3)
    assert mi300x.compute("fp32") == pytest.approx(163.4, rel=1e-3)
    assert mi300x.compute("tf32") == pytest.approx(653.7, rel=1e-3)
    assert mi300x.memory_gbps == pytest.approx(5324.8, rel=1e-4)
    assert mi300x.memory("hbm") == mi300x.memory_gbps
    mi210 = aaco.profile("MI210")
    assert mi210.compute("fp16") == pytest.approx(181.0, rel=1e-3)


def test_missing_figures_are_none(mi300x):
    assert mi300x.launch_us is None     # a datasheet states no launch floor
    assert mi300x.l2_gbps is None
    assert mi300x.memory("l2") is None
    assert mi300x.latency("hbm") is None
    assert aaco.profile("mi100").compute("fp8") is None


def test_figures_carry_statistics_and_telemetry_fields(mi300x):
    figs = mi300x.figures
    assert any(f.key == "compute.fp16.matrix" for f in figs)
    hbm = [f for f in figs if f.key == "memory.hbm.read"][0]
    assert hbm.unit == "GB/s" and hbm.stats is None and hbm.telemetry is None
    assert hbm.stable is None and hbm.power_limited is None
    int8 = [f for f in figs if f.key.startswith("compute.int8")][0]
    assert int8.unit == "TOP/s"


def test_heu_is_a_float_with_detail(mi300x):
    h = aaco.heu(mi300x, 800, 150)
    assert isinstance(h, float)
    # AI 150 x 5324.8 GB/s = 798.7 TFLOP/s < 1307.4: memory-bound, HEU = 800 / 798.72
    assert h.bound == "memory" and h.binding_ceiling == "hbm"
    assert float(h) == pytest.approx(800 / (150 * 5324.8e-3), rel=1e-9)
    assert h.above_roof
    assert f"{h:.1%}" == f"{800 / (150 * 5.3248):.1%}"
    h2 = aaco.heu(mi300x, 650, 1000, precision="FP16")
    assert h2.bound == "compute" and h2.binding_ceiling.startswith("fp16")
    assert not h2.above_roof
    assert h2.attainable_tflops == pytest.approx(1307.4, rel=1e-3)


def test_attainable_and_ridge_point(mi300x):
    r = aaco.ridge_point(mi300x, "fp16", "hbm")
    assert r == pytest.approx(1307.4 / 5.3248, rel=1e-3)
    assert aaco.attainable(mi300x, r / 2) == pytest.approx(mi300x.compute_tflops / 2, rel=1e-6)
    assert aaco.attainable(mi300x, r * 10) == pytest.approx(mi300x.compute_tflops, rel=1e-9)


def test_heu_matches_the_cli(cli):
    out = subprocess.run([cli, "--profile", "mi300x", "--heu", "700@300:bf16"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    h = aaco.heu(aaco.profile("mi300x"), 700, 300, "bf16")
    shown = [line for line in out.stdout.splitlines() + out.stderr.splitlines() if "HEU" in line]
    assert shown, out.stdout
    assert any(f"{float(h) * 100:.1f}" in line for line in shown), (shown, float(h))


@pytest.mark.parametrize("call, exc, words", [
    (lambda e: aaco.heu(e, "800", 150), TypeError, "measured_tflops"),
    (lambda e: aaco.heu(e, 800, None), TypeError, "arithmetic_intensity"),
    (lambda e: aaco.heu(e, 800, True), TypeError, "arithmetic_intensity"),
    (lambda e: aaco.heu(e, 800, 0), ValueError, "ai"),
    (lambda e: aaco.heu(e, 800, -3), ValueError, ""),
    (lambda e: aaco.heu(e, float("nan"), 10), ValueError, ""),
    (lambda e: aaco.heu(e, 800, 10, precision="fp4"), ValueError, "fp4"),
    (lambda e: aaco.heu(e, 800, 10, level="l9"), ValueError, "l9"),
    (lambda e: aaco.heu(e, 800, 10, level="l2"), ValueError, "l2"),
    (lambda e: aaco.heu("not an envelope", 800, 10), TypeError, "envelope"),
    (lambda e: e.compute("fp99"), ValueError, "fp99"),
    (lambda e: e.compute("fp16", unit="tensor"), ValueError, "tensor"),
    (lambda e: e.memory(3), TypeError, "level"),
    (lambda e: aaco.profile("nosuch"), ValueError, "nosuch"),
    (lambda e: aaco.profile(7), TypeError, "profile"),
])
def test_bad_arguments_are_named(mi300x, call, exc, words):
    with pytest.raises(exc) as info:
        call(mi300x)
    assert words in str(info.value)
