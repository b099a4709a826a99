"""aaco's exceptions, raised by the C++ library and re-exported here.

- ``AacoError`` (a RuntimeError): base of aaco's run-time errors.
- ``NoDeviceError`` (an AacoError): no usable GPU: host-only build, no driver, no device, or a
  device id out of range. The message is the library's and names the cause.
- ``UnsupportedArchError`` (an AacoError): this build has no kernels for the device's arch.
- ``ParseError`` (a ValueError): a file or text is not a valid aaco envelope; the message gives
  the JSON pointer of the problem.

Bad arguments raise the built-in ``ValueError`` / ``TypeError`` naming the argument.
"""
from ._aaco import AacoError, NoDeviceError, ParseError, UnsupportedArchError

__all__ = ["AacoError", "NoDeviceError", "ParseError", "UnsupportedArchError"]
