"""``aaco.measure``: time a Python callable that enqueues GPU work with the library's method
(warm-up, device events, the stopping rule) and place it on the envelope's roofline.

    import torch, aaco
    a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    m = aaco.measure(lambda: a @ a, flops=2 * 8192**3, bytes=3 * 8192**2 * 2, precision="bf16")
    print(m.achieved_tflops, f"{m.heu:.1%}", m.heu.binding_ceiling)

torch is never imported by aaco itself; it is used only when it is already loaded.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional

from . import _aaco
from ._errors import NoDeviceError
from .envelope import Envelope
from .roofline import HEU, _number

_default_envelopes: Dict[int, Envelope] = {}


@dataclass(frozen=True)
class Measurement:
    """What ``aaco.measure`` found. Times are seconds per call of ``fn`` (median of the samples)."""

    seconds: float
    achieved_tflops: float
    achieved_gbps: float
    arithmetic_intensity: float
    heu: HEU
    above_hbm_roof: bool
    samples: int
    cov: float
    stable: bool
    stats: Dict[str, Any]
    label: Optional[str] = None

    @property
    def binding_ceiling(self) -> str:
        return self.heu.binding_ceiling


def _torch_if_loaded():
    return sys.modules.get("torch")


def _current_device() -> int:
    torch = _torch_if_loaded()
    if torch is not None and torch.cuda.is_available():
        return int(torch.cuda.current_device())
    return 0


def _default_envelope() -> Envelope:
    """A quick calibration of the current device, once per process and device."""
    from .calibration import HardwareCalibrator
    dev = _current_device()
    if dev not in _default_envelopes:
        _default_envelopes[dev] = HardwareCalibrator(device_id=dev).calibrate(quick=True, progress=False)
    return _default_envelopes[dev]


def _launcher(fn: Callable[[], Any], caller_stream: Any = None) -> Callable[[int], None]:
    """Calls ``fn`` with torch's current stream set to the timing stream, so that the work torch
    enqueues is the work the events bracket: the caller's own torch stream object when one was
    passed, torch's default stream for handle 0, else one ExternalStream wrapper of the handle
    (made once). ``torch.cuda.ExternalStream(0)`` is not the default stream: on the H200
    (2026-12-02) work enqueued under it landed on other streams than the one timed."""
    torch = _torch_if_loaded()
    if torch is None or not torch.cuda.is_available():
        return lambda handle: fn()
    wrapped: Dict[int, Any] = {}
    if caller_stream is not None and isinstance(caller_stream, torch.cuda.Stream):
        wrapped[int(caller_stream.cuda_stream)] = caller_stream

    def stream_of(handle: int) -> Any:
        if handle not in wrapped:
            wrapped[handle] = (torch.cuda.default_stream() if handle == 0
                               else torch.cuda.ExternalStream(handle))
        return wrapped[handle]

    def launch(handle: int) -> None:
        with torch.cuda.stream(stream_of(handle)):
            fn()
    return launch


def _stream_handle(stream: Any) -> Optional[int]:
    """The raw cudaStream_t / hipStream_t of ``stream``: None (aaco's own stream), a
    torch.cuda.Stream or ExternalStream (``.cuda_stream``), a CuPy stream (``.ptr``), or the handle
    itself as an int (0 = the legacy default stream)."""
    if stream is None:
        return None
    if not isinstance(stream, int):
        for attr in ("cuda_stream", "ptr"):  # torch, CuPy
            if hasattr(stream, attr):
                stream = getattr(stream, attr)
                break
    if isinstance(stream, bool) or not isinstance(stream, int):
        raise TypeError("stream must be None, a torch.cuda.Stream, a CuPy stream or an int handle, "
                        f"got {type(stream).__name__}")
    if stream < 0 or stream >= 1 << 64:
        raise ValueError(f"stream handle must be in [0, 2**64), got {stream}")
    return stream


def measure(fn: Callable[[], Any], *, flops: float, bytes: float, precision: str = "fp16",
            envelope: Optional[Envelope] = None, level: str = "hbm", quick: bool = False,
            label: Optional[str] = None, stream: Any = None) -> Measurement:
    """Times ``fn()`` (one call = one unit of work: ``flops`` FLOPs and ``bytes`` bytes, the
    minimum the work must move) and returns achieved TFLOP/s and GB/s, the arithmetic intensity,
    the HEU against ``envelope`` (default: a quick calibration of the current device, once per
    process) with its binding ceiling, and the statistics. ``fn`` must enqueue its GPU work on
    the current stream (torch does). With ``stream`` (``torch.cuda.current_stream()``, any
    torch or CuPy stream, or a raw handle) the events are recorded on that stream, which aaco
    never destroys; without it aaco times on a stream of its own. Either way that stream is
    torch's current stream while ``fn`` runs. ``flops`` may be 0 for pure data movement (HEU
    against ``level``'s bandwidth)."""
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    fl = _number(flops, "flops")
    by = _number(bytes, "bytes")
    if not isinstance(precision, str):
        raise TypeError(f"precision must be a str, got {type(precision).__name__}")
    if not isinstance(level, str):
        raise TypeError(f"level must be a str, got {type(level).__name__}")
    if envelope is not None and not isinstance(envelope, Envelope):
        raise TypeError(f"envelope must be an aaco.Envelope, got {type(envelope).__name__}")
    handle = _stream_handle(stream)
    if _aaco.backend == "none":
        _aaco.open_device(0)  # raises NoDeviceError with the library's message
        raise NoDeviceError("aaco was built without a GPU backend")
    env = envelope if envelope is not None else _default_envelope()
    r = _aaco.measure(env._text, _launcher(fn, stream), fl, by, precision, level, bool(quick), handle)
    stats = {k: r[k] for k in ("samples", "median_seconds", "min_seconds", "max_seconds", "cov",
                               "iqr_seconds", "stable")}
    return Measurement(r["seconds"], r["achieved_tflops"], r["achieved_gbps"],
                       r["arithmetic_intensity"], HEU(r["heu"]), r["above_hbm_roof"],
                       r["samples"], r["cov"], r["stable"], stats, label)


__all__ = ["Measurement", "measure"]
