"""JSON round trips with files written by the C++ CLI, markdown and SVG."""
import json
import subprocess

import pytest

import aaco


def test_round_trip_with_a_file_written_by_the_cli(cli, tmp_path):
    path = tmp_path / "mi300x.json"
    out = subprocess.run([cli, "--profile", "mi300x", "--json", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    env = aaco.Envelope.load(path)
    assert env == aaco.profile("mi300x")
    saved = tmp_path / "again.json"
    env.save(saved)
    assert json.loads(saved.read_text()) == json.loads(path.read_text())
    assert aaco.Envelope.from_json(env.to_json()) == env
    doc = json.loads(env.to_json(indent=None))
    assert doc["aaco"]["schema_version"] >= 2


def test_seed_card_json_reads(tmp_path):
    seed = {"device": "AMD Instinct MI300X", "calibration_timestamp": "2026-02-15T12:00:00Z",
            "envelope": {"compute_ceiling_fp16_tflops": 1307.0, "compute_ceiling_fp32_tflops": 653.0,
                         "memory_bandwidth_gbps": 5300.0, "launch_overhead_us": 2.5,
                         "l2_bandwidth_gbps": 8000.0},
            "validation": {"iterations": 1000, "cov": 0.02, "stable": True}}
    env = aaco.Envelope.from_json(json.dumps(seed))
    assert env.compute_tflops == 1307.0 and env.launch_us == 2.5 and env.l2_gbps == 8000.0
    assert env.validation["iterations"] == 1000


@pytest.mark.parametrize("text, where", [
    ("", "empty"),
    ("{", "truncated"),
    ('{"hello": 1}', "not an aaco envelope"),
    ('{"device": "x", "calibration_timestamp": "", "envelope": {"memory_bandwidth_gbps": -1},'
     ' "validation": {"iterations": 1, "cov": 0, "stable": true}}', "/envelope/memory_bandwidth_gbps"),
])
def test_corrupt_or_foreign_json_raises_parse_error(text, where):
    with pytest.raises(aaco.ParseError) as info:
        aaco.Envelope.from_json(text)
    assert where in str(info.value)
    assert isinstance(info.value, ValueError)


def test_load_of_a_missing_file(tmp_path):
    with pytest.raises(aaco.ParseError, match="(?i)no such file"):
        aaco.Envelope.load(tmp_path / "nope.json")


def test_markdown_and_svg(mi300x, tmp_path):
    md = mi300x.to_markdown()
    assert "MI300X" in md
    svg_path = tmp_path / "r.svg"
    svg = mi300x.to_svg(svg_path, workloads=[("gemm", 800, 150), {"label": "triad", "tflops": 0.5, "ai": 0.08}])
    assert svg.startswith("<svg") or svg.startswith("<?xml")
    assert svg_path.read_text() == svg
    assert "gemm" in svg and "triad" in svg
    with pytest.raises(TypeError):
        mi300x.to_svg(workloads=[42])
    with pytest.raises(ValueError, match="missing key"):
        mi300x.to_svg(workloads=[{"label": "x"}])


def test_envelope_cannot_be_built_empty():
    with pytest.raises(TypeError, match="Envelope.load"):
        aaco.Envelope()
