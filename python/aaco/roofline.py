"""The roofline math, as plain functions over an Envelope (computed by the C++ library)."""
from __future__ import annotations

import numbers
from typing import Any

from . import _aaco
from .envelope import Envelope


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}")
    return float(value)


def _name(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    return value


def _envelope(env: Any) -> Envelope:
    if not isinstance(env, Envelope):
        raise TypeError(f"envelope must be an aaco.Envelope, got {type(env).__name__}")
    return env


class HEU(float):
    """An HEU value (a float: ``f"{heu:.1%}"`` works) that carries its detail:

    - ``attainable_tflops``: the roof at the workload's arithmetic intensity;
    - ``binding_ceiling``: the roof that binds there ("fp16.matrix", "hbm", ...);
    - ``bound``: "compute" or "memory";
    - ``above_roof``: the value exceeds 1. Above the compute roof the FLOP count or the precision
      is wrong (or the ceiling is); above a memory roof the bytes came from a cache (or the count
      is wrong).
    """

    attainable_tflops: float
    binding_ceiling: str
    bound: str
    above_roof: bool

    def __new__(cls, detail: dict) -> "HEU":
        self = super().__new__(cls, detail["value"])
        self.attainable_tflops = detail["attainable_tflops"]
        self.binding_ceiling = detail["binding_ceiling"]
        self.bound = detail["bound"]
        self.above_roof = detail["above_roof"]
        return self

    def __repr__(self) -> str:
        return (f"HEU({float(self):.4f}, binding={self.binding_ceiling!r}, bound={self.bound!r}, "
                f"attainable_tflops={self.attainable_tflops:g}, above_roof={self.above_roof})")


def heu(envelope: Envelope, measured_tflops: float, arithmetic_intensity: float,
        precision: str = "fp16", level: str = "hbm") -> HEU:
    """HEU = measured / attainable, attainable = min(compute roof, AI x bandwidth of ``level``)."""
    env = _envelope(envelope)
    return HEU(_aaco.heu(env._text, _number(measured_tflops, "measured_tflops"),
                         _number(arithmetic_intensity, "arithmetic_intensity"),
                         _name(precision, "precision"), _name(level, "level")))


def attainable(envelope: Envelope, arithmetic_intensity: float, precision: str = "fp16",
               level: str = "hbm") -> float:
    """The attainable TFLOP/s at ``arithmetic_intensity`` (FLOP per byte of ``level``)."""
    env = _envelope(envelope)
    return _aaco.attainable(env._text, _number(arithmetic_intensity, "arithmetic_intensity"),
                            _name(precision, "precision"), _name(level, "level"))


def ridge_point(envelope: Envelope, precision: str = "fp16", level: str = "hbm") -> float:
    """The arithmetic intensity (FLOP/byte) where the ``level`` slope meets the compute roof."""
    env = _envelope(envelope)
    return _aaco.ridge_point(env._text, _name(precision, "precision"), _name(level, "level"))
