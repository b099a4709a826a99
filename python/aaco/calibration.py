"""``HardwareCalibrator``: the seed card's API.

    from aaco.calibration import HardwareCalibrator
    calibrator = HardwareCalibrator(device_id=0)
    envelope = calibrator.calibrate()
    heu = calibrator.compute_heu(measured_tflops=800, arithmetic_intensity=150)

Without a GPU, ``HardwareCalibrator(profile="mi300x")`` runs the same code against a datasheet
envelope, and says so in its repr and in the envelope's ``source``.
"""
from __future__ import annotations

import numbers
import os
import sys
from typing import Any, Callable, Iterable, List, Optional, Union

from . import _aaco
from ._errors import NoDeviceError
from .envelope import Envelope
from .roofline import HEU, _number

ProgressCallback = Callable[[str, int, int, str, float], None]


def _names(value: Optional[Union[str, Iterable[str]]], what: str, parse) -> Optional[List[str]]:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    out = []
    for v in items:
        if not isinstance(v, str):
            raise TypeError(f"{what} entries must be str, got {type(v).__name__}")
        out.append(parse(v))
    return out


def _print_progress(key: str, index: int, total: int, status: str, elapsed: float) -> None:
    if status != "running":
        print(f"aaco: [{index}/{total}] {key}: {status} ({elapsed:.1f} s)", file=sys.stderr)


class HardwareCalibrator:
    """Calibrates one GPU (``device_id``), or stands in for one with a datasheet (``profile``).

    Raises ``aaco.NoDeviceError`` (a RuntimeError) when no GPU can be used (host-only build, no
    driver, no device, id out of range: the message names the cause); ``TypeError`` /
    ``ValueError`` for bad arguments.
    """

    def __init__(self, device_id: int = 0, *, profile: Optional[str] = None) -> None:
        if isinstance(device_id, bool) or not isinstance(device_id, numbers.Integral):
            raise TypeError(f"device_id must be an int, got {type(device_id).__name__}")
        if device_id < 0:
            raise ValueError(f"device_id must be >= 0, got {device_id}")
        self._device_id = int(device_id)
        self._profile = profile
        self._native = None
        self._last: Optional[Envelope] = None
        if profile is not None:
            from . import profile as datasheet  # the package-level aaco.profile()
            self._last = datasheet(profile)
            return
        if _aaco.backend == "none":
            _aaco.open_device(self._device_id)  # raises NoDeviceError with the library's message
            raise NoDeviceError("aaco was built without a GPU backend")  # not reached
        self._native = _aaco.Calibrator(self._device_id)

    # ---- measuring ------------------------------------------------------------------------------
    def calibrate(self, quick: bool = False, precisions: Optional[Iterable[str]] = None,
                  levels: Optional[Iterable[str]] = None, cold: bool = False,
                  sustained: Optional[float] = None,
                  progress: Union[bool, ProgressCallback, None] = True) -> Envelope:
        """Runs aaco's microbenchmarks and returns the envelope. ``precisions`` / ``levels``
        restrict what is measured (default: all the device has); ``cold`` uses zero operands;
        ``sustained`` (seconds) holds each compute figure under load that long beside the burst
        figure; ``progress`` True prints each step to stderr, a callable gets
        ``(key, index, total, status, elapsed_seconds)``. In profile mode it returns the
        datasheet envelope (nothing is measured)."""
        options = self._options(quick, precisions, levels, cold, sustained)
        report = self._progress(progress)
        if self._native is None:
            return self._last
        self._last = Envelope._from_json(self._native.calibrate(options, report))
        return self._last

    def load_or_calibrate(self, path: "os.PathLike[str] | str", max_age_hours: float = 24.0,
                          **calibrate_options: Any) -> Envelope:
        """Reuses the envelope cached in ``path`` when it was measured on this device with the
        same driver, runtime and aaco version and is younger than ``max_age_hours``; otherwise
        calibrates (with ``calibrate_options``) and replaces the file atomically. The outcome
        ("hit", "missing", "stale", "corrupt: ...") is in ``last_cache_outcome``."""
        path = os.fspath(path)
        hours = _number(max_age_hours, "max_age_hours")
        if not hours > 0:
            raise ValueError(f"max_age_hours must be > 0, got {max_age_hours}")
        report = self._progress(calibrate_options.pop("progress", True))
        options = self._options(**calibrate_options)
        if self._native is None:
            self.last_cache_outcome = "datasheet profile: nothing cached"
            return self._last
        text, outcome = self._native.load_or_calibrate(path, options, report, hours)
        self.last_cache_outcome = outcome
        self._last = Envelope._from_json(text)
        return self._last

    def compute_heu(self, measured_tflops: float, arithmetic_intensity: float,
                    precision: str = "fp16", level: str = "hbm") -> HEU:
        """HEU of a workload that reached ``measured_tflops`` at ``arithmetic_intensity``
        (FLOP/byte) against the last envelope. Calibrates (quick) first if none exists yet."""
        from .roofline import heu
        if self._last is None:
            self.calibrate(quick=True, progress=False)
        return heu(self._last, measured_tflops, arithmetic_intensity, precision, level)

    # ---- state ------------------------------------------------------------------------------------
    @property
    def envelope(self) -> Optional[Envelope]:
        """The last envelope calibrated or loaded (the datasheet one in profile mode)."""
        return self._last

    @property
    def device_id(self) -> int:
        return self._device_id

    def __repr__(self) -> str:
        if self._native is None:
            return (f"HardwareCalibrator(profile={self._profile!r}) -- datasheet envelope of "
                    f"{self._last.device!r}; nothing is measured")
        return (f"HardwareCalibrator(device_id={self._device_id}) -- {self._native.device_name!r}, "
                f"backend {_aaco.backend}")

    # ---- helpers ------------------------------------------------------------------------------------
    @staticmethod
    def _options(quick: bool = False, precisions=None, levels=None, cold: bool = False,
                 sustained: Optional[float] = None, time_budget_seconds: Optional[float] = None) -> dict:
        opts: dict = {"quick": bool(quick), "cold": bool(cold)}
        p = _names(precisions, "precisions", _aaco.parse_precision)
        if p is not None:
            opts["precisions"] = p
        lv = _names(levels, "levels", _aaco.parse_level)
        if lv is not None:
            opts["levels"] = lv
        if sustained is not None:
            s = _number(sustained, "sustained")
            if not (s > 0 and s <= 600):  # calibration_options::max_sustained_seconds
                raise ValueError(f"sustained must be in (0, 600] seconds, got {sustained}")
            opts["sustained_seconds"] = s
        if time_budget_seconds is not None:
            t = _number(time_budget_seconds, "time_budget_seconds")
            if not t > 0:
                raise ValueError(f"time_budget_seconds must be > 0, got {time_budget_seconds}")
            opts["time_budget_seconds"] = t
        return opts

    @staticmethod
    def _progress(progress):
        if progress is True:
            return _print_progress
        if progress is False or progress is None:
            return None
        if not callable(progress):
            raise TypeError(f"progress must be a bool or a callable, got {type(progress).__name__}")
        return progress


__all__ = ["HardwareCalibrator"]
