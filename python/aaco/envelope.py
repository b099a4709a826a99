"""The hardware envelope of one GPU, as the C++ library measured (or a datasheet states) it.

An ``Envelope`` holds aaco's own JSON document (schema in README, "aaco-calibrate"): it is
read and written by the C++ library, and every attribute here is a lookup in it. A figure that
was not measured is ``None``, never invented; ``failures`` says why it is missing.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

from . import _aaco

_UNITS = ("matrix", "vector")


def _name(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    return value


@dataclass(frozen=True)
class Figure:
    """One figure of an envelope with its statistics and telemetry.

    ``kind`` is "compute", "memory", "launch" or "latency"; ``key`` names it the way the
    calibration's progress and failures do ("compute.fp16.matrix", "memory.hbm.read",
    "memory.l2.read.whole", "launch.device", "latency.l2.far"); ``value`` is in ``unit``
    ("TFLOP/s", "TOP/s" for int8, "GB/s", "us", "ns"). ``stats`` and ``telemetry`` are the
    JSON objects (None where absent: a datasheet figure has no statistics, a figure taken
    without NVML/AMD SMI has no telemetry). ``data`` is the figure's whole JSON object.
    """

    kind: str
    key: str
    value: Optional[float]
    unit: str
    stats: Optional[Dict[str, Any]] = None
    telemetry: Optional[Dict[str, Any]] = None
    data: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def stable(self) -> Optional[bool]:
        """The figure's stable flag; None for a figure without statistics."""
        return None if self.stats is None else bool(self.stats.get("stable"))

    @property
    def power_limited(self) -> Optional[bool]:
        """Measured by telemetry (a power-cap reason or power within 5% of the limit); None
        without telemetry."""
        return None if self.telemetry is None else self.telemetry.get("power_limited")


class Envelope:
    """The envelope of one GPU. Build one with ``HardwareCalibrator.calibrate()``,
    ``aaco.profile(name)``, ``Envelope.load(path)`` or ``Envelope.from_json(text)``."""

    def __init__(self) -> None:  # use the factories
        raise TypeError("use Envelope.load(path), Envelope.from_json(text), aaco.profile(name) "
                        "or HardwareCalibrator.calibrate()")

    @classmethod
    def _from_json(cls, text: str) -> "Envelope":
        self = object.__new__(cls)
        self._text = text
        self._doc = json.loads(text)
        return self

    # ---- construction and output ------------------------------------------------------------
    @classmethod
    def from_json(cls, text: str) -> "Envelope":
        """Reads aaco JSON or a seed-format document. Raises aaco.ParseError (a ValueError)
        with the JSON pointer of the problem."""
        return cls._from_json(_aaco.normalize(_name(text, "text")))

    @classmethod
    def load(cls, path: "os.PathLike[str] | str") -> "Envelope":
        """Loads an envelope file written by aaco (or a seed-format file)."""
        return cls._from_json(_aaco.load(os.fspath(path)))

    def save(self, path: "os.PathLike[str] | str") -> None:
        """Writes the envelope atomically (aaco JSON)."""
        _aaco.save(self._text, os.fspath(path))

    def to_json(self, indent: Optional[int] = 2) -> str:
        """The envelope as aaco JSON text (the seed card's format plus the "aaco" object)."""
        if indent == 2:
            return self._text
        return json.dumps(self._doc, indent=indent)

    def to_dict(self) -> Dict[str, Any]:
        """A deep copy of the JSON document."""
        return json.loads(self._text)

    def to_markdown(self) -> str:
        """The library's markdown report of this envelope."""
        return _aaco.to_markdown(self._text)

    def to_svg(self, path: "os.PathLike[str] | str | None" = None,
               workloads: Optional[Iterable[Any]] = None) -> str:
        """The roofline as SVG text; written to ``path`` too when given. ``workloads`` are
        points to mark: ``(label, tflops, ai)`` or ``(label, tflops, ai, heu)`` tuples, dicts
        with those keys, or ``aaco.Measurement`` results (``label`` optional there)."""
        points = [_as_point(w, i) for i, w in enumerate(workloads or [])]
        svg = _aaco.to_svg(self._text, points)
        if path is not None:
            with open(os.fspath(path), "w", encoding="utf-8") as f:
                f.write(svg)
        return svg

    # ---- the seed card's attributes -----------------------------------------------------------
    @property
    def compute_tflops(self) -> Optional[float]:
        """The fp16 roof in TFLOP/s (the faster of its matrix and vector figures), or None."""
        return self._doc["envelope"].get("compute_ceiling_fp16_tflops")

    @property
    def memory_gbps(self) -> Optional[float]:
        """The HBM roof in GB/s (fastest stream op), or None."""
        return self._doc["envelope"].get("memory_bandwidth_gbps")

    @property
    def launch_us(self) -> Optional[float]:
        """The launch floor in microseconds per launch (the device-side floor; README says
        why), or None."""
        return self._doc["envelope"].get("launch_overhead_us")

    @property
    def l2_gbps(self) -> Optional[float]:
        """The L2 roof in GB/s, or None."""
        return self._doc["envelope"].get("l2_bandwidth_gbps")

    # ---- everything else ----------------------------------------------------------------------
    @property
    def source(self) -> str:
        """"measured" or "datasheet"."""
        return self._ext.get("source", "measured")

    @property
    def device(self) -> str:
        """The device's name as the runtime (or the datasheet) gives it."""
        return self._doc.get("device", "")

    @property
    def device_info(self) -> Dict[str, Any]:
        """The device object of the JSON (UUID, arch, CUs, caches, versions; null = unknown)."""
        return dict(self._ext.get("device") or {})

    @property
    def failures(self) -> List[Dict[str, str]]:
        """Sub-measurements that produced no figure: ``{"key": ..., "reason": ...}``."""
        return [dict(f) for f in self._ext.get("failures", [])]

    @property
    def validation(self) -> Dict[str, Any]:
        """The seed card's validation block (iterations, cov, stable)."""
        return dict(self._doc.get("validation", {}))

    def compute(self, precision: str, unit: Optional[str] = None) -> Optional[float]:
        """The compute roof of ``precision`` in TFLOP/s (TOP/s for int8): the faster unit, or
        ``unit`` "matrix"/"vector". None when not measured (see ``failures``)."""
        p = _aaco.parse_precision(_name(precision, "precision"))
        if unit is not None and _name(unit, "unit") not in _UNITS:
            raise ValueError(f"unknown compute unit '{unit}' (expected matrix or vector)")
        best = None
        for f in self._ext.get("compute", []):
            if f["precision"] != p or (unit is not None and f["unit"] != unit):
                continue
            v = f.get("roof_tflops", f.get("tflops"))
            if v is not None and (best is None or v > best):
                best = v
        return best

    def memory(self, level: str = "hbm") -> Optional[float]:
        """The bandwidth roof of ``level`` (hbm, l2, llc, shared/lds, h2d, d2h) in GB/s, or None."""
        lv = _aaco.parse_level(_name(level, "level"))
        values = [f["gbps"] for f in self._ext.get("memory", [])
                  if f["level"] == lv and f.get("gbps") is not None]
        return max(values) if values else None

    def latency(self, level: str, scope: Optional[str] = None) -> Optional[float]:
        """The load-to-use latency of ``level`` in nanoseconds (``scope`` "near"/"far" for the
        L2 partitions of H100/H200), or None when not measured."""
        lv = _aaco.parse_level(_name(level, "level"))
        for f in self._ext.get("latency", []):
            if f["level"] == lv and (scope is None or f.get("scope") == scope):
                return f.get("ns")
        return None

    @property
    def figures(self) -> List[Figure]:
        """Every figure with its statistics and telemetry."""
        out: List[Figure] = []
        for f in self._ext.get("compute", []):
            unit = "TOP/s" if f["precision"] == "int8" else "TFLOP/s"
            out.append(Figure("compute", f"compute.{f['precision']}.{f['unit']}",
                              f.get("roof_tflops", f.get("tflops")), unit, f.get("stats"),
                              f.get("telemetry"), f))
        for f in self._ext.get("memory", []):
            key = f"memory.{f['level']}.{f['op']}"
            if f.get("scope", "roof") != "roof":
                key += "." + f["scope"]
            out.append(Figure("memory", key, f.get("gbps"), "GB/s", f.get("stats"),
                              f.get("telemetry"), f))
        for f in self._ext.get("launch", []):
            out.append(Figure("launch", f"launch.{f['mode']}", f.get("us"), "us", f.get("stats"),
                              f.get("telemetry"), f))
        for f in self._ext.get("latency", []):
            key = f"latency.{f['level']}" + (f".{f['scope']}" if f.get("scope") else "")
            out.append(Figure("latency", key, f.get("ns"), "ns", f.get("stats"), None, f))
        return out

    @property
    def _ext(self) -> Dict[str, Any]:
        return self._doc.get("aaco") or {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Envelope) and self._doc == other._doc

    def __repr__(self) -> str:
        def fmt(v: Optional[float], unit: str) -> str:
            return "n/a" if v is None else f"{v:g} {unit}"
        return (f"<aaco.Envelope {self.source}: {self.device!r}, fp16 "
                f"{fmt(self.compute_tflops, 'TFLOP/s')}, HBM {fmt(self.memory_gbps, 'GB/s')}, "
                f"launch {fmt(self.launch_us, 'us')}, {len(self.failures)} failures>")


def _as_point(w: Any, index: int):
    nan = float("nan")
    if hasattr(w, "achieved_tflops") and hasattr(w, "arithmetic_intensity"):
        label = getattr(w, "label", None) or f"workload {index + 1}"
        h = getattr(w, "heu", None)
        return (str(label), float(w.arithmetic_intensity), float(w.achieved_tflops),
                float(h) if h is not None else nan)
    if isinstance(w, dict):
        try:
            return (str(w.get("label", f"workload {index + 1}")), float(w["ai"]),
                    float(w["tflops"]), float(w.get("heu", nan)))
        except KeyError as e:
            raise ValueError(f"workload {index}: missing key {e} (expected label, tflops, ai)") from None
    if isinstance(w, (tuple, list)) and len(w) in (3, 4):
        label, tflops, ai = w[0], float(w[1]), float(w[2])
        h = float(w[3]) if len(w) == 4 else nan
        return (str(label), ai, tflops, h)
    raise TypeError(f"workload {index}: expected (label, tflops, ai[, heu]), a dict or a "
                    f"Measurement, got {type(w).__name__}")
