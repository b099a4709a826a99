#!/usr/bin/env python3
"""Checks that a PNG screenshot is not blank, using only the standard library (zlib, struct).

    png_stats.py FILE [--min-ink FRACTION] [--min-colors N]

Prints the size, the fraction of non-white pixels ("ink") and the number of distinct colours;
exits 0 when ink >= FRACTION (default 0.01) and colours >= N (default 3), else 1.
Supports what browsers write: 8-bit RGB or RGBA, grey or grey+alpha, not interlaced.
"""
import struct
import sys
import zlib

CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # PNG colour type -> samples per pixel


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, header, idat = 8, None, b""
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("no IHDR chunk")
    width, height, depth, ctype, _, _, interlace = header
    if depth != 8 or ctype not in CHANNELS or interlace != 0:
        raise ValueError("unsupported PNG: depth %d, colour type %d, interlace %d"
                         % (depth, ctype, interlace))
    bpp = CHANNELS[ctype]
    raw = zlib.decompress(idat)
    stride = width * bpp
    if len(raw) != height * (stride + 1):
        raise ValueError("image data has %d bytes, expected %d" % (len(raw), height * (stride + 1)))
    rows, prev = [], bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
            elif ftype != 0:
                raise ValueError("bad filter type %d in row %d" % (ftype, y))
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    path, min_ink, min_colors = argv[1], 0.01, 3
    args = argv[2:]
    while args:
        if args[0] == "--min-ink":
            min_ink = float(args[1])
        elif args[0] == "--min-colors":
            min_colors = int(args[1])
        else:
            print("unknown option", args[0])
            return 2
        args = args[2:]
    width, height, bpp, rows = read_png(path)
    colour_bytes = 1 if bpp <= 2 else 3  # ignore alpha
    ink, colours = 0, set()
    for row in rows:
        for x in range(0, width * bpp, bpp):
            px = row[x:x + colour_bytes]
            colours.add(px)
            if any(v < 240 for v in px):  # near-white anti-aliasing does not count as ink
                ink += 1
    fraction = ink / float(width * height)
    print("%s: %dx%d, %.2f%% non-white pixels, %d distinct colours"
          % (path, width, height, 100 * fraction, len(colours)))
    ok = True
    if fraction < min_ink:
        print("FAIL: less than %.2f%% non-white pixels: the render is blank" % (100 * min_ink))
        ok = False
    if len(colours) < min_colors:
        print("FAIL: fewer than %d distinct colours" % min_colors)
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (OSError, ValueError, zlib.error) as e:
        print("FAIL: %s" % e)
        sys.exit(1)
