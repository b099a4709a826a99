"""aaco: calibrated GPU hardware envelopes and Hardware Envelope Utilization (HEU).

The package is a thin layer over aaco's C++ library (``aaco._aaco``): calibration, the
datasheet profiles, the roofline math, and the envelope's JSON, markdown and SVG all run in
the library, so the numbers and the error messages are the library's own.

Quick start (the seed card's example)::

    from aaco.calibration import HardwareCalibrator
    calibrator = HardwareCalibrator(device_id=0)       # or HardwareCalibrator(profile="mi300x")
    envelope = calibrator.calibrate()
    print(envelope.compute_tflops, envelope.memory_gbps, envelope.launch_us)
    heu = calibrator.compute_heu(measured_tflops=800, arithmetic_intensity=150)
    print(f"HEU: {heu:.1%}")
"""
from . import _aaco
from ._errors import AacoError, NoDeviceError, ParseError, UnsupportedArchError
from .envelope import Envelope, Figure
from .roofline import HEU, attainable, heu, ridge_point
from .measure import Measurement, measure

__version__: str = _aaco.__version__
#: The GPU runtime this build of the package was compiled with: "cuda", "hip" or "none".
backend: str = _aaco.backend


def profiles() -> list:
    """The keys of every datasheet profile (``"mi300x"``, ``"h100-sxm"``, ...)."""
    return [p["key"] for p in _aaco.profiles()]


def profile(name: str) -> Envelope:
    """The datasheet envelope of a card: a profile key (``"mi300x"``), an alias (``"h100"``)
    or a runtime name (``"AMD Instinct MI300X"``), case-insensitive.

    Raises ValueError naming the known keys when nothing matches, TypeError when ``name`` is
    not a string.
    """
    if not isinstance(name, str):
        raise TypeError(f"profile name must be a str, got {type(name).__name__}")
    return Envelope._from_json(_aaco.datasheet_envelope(name))


from . import calibration  # noqa: E402  (needs the names above)
from .calibration import HardwareCalibrator  # noqa: E402

__all__ = [
    "AacoError", "NoDeviceError", "ParseError", "UnsupportedArchError",
    "Envelope", "Figure", "HEU", "HardwareCalibrator", "Measurement",
    "attainable", "heu", "ridge_point", "measure", "profile", "profiles",
    "backend", "calibration",
]
