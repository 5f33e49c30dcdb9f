"""Is an uploaded file really a photo? JPEG, PNG and WebP recognised from their bytes.

No Django import. The file's name and declared content type are not trusted: the format
is read from the magic bytes and the structure is walked far enough to find the image's
dimensions (PNG's IHDR with its CRC, JPEG's frame header, WebP's VP8/VP8L/VP8X chunk).
When Pillow is installed its `verify()` runs as well; the project does not depend on it.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass

MAX_PIXELS = 80_000_000  # larger images are refused before anything decodes them

CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp"}


@dataclass(frozen=True)
class ImageInfo:
    format: str  # "jpeg" | "png" | "webp"
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


class NotAnImage(ValueError):
    """`code`: "empty", "format" (not JPEG/PNG/WebP), "corrupt", "dimensions"."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def sniff(data: bytes) -> ImageInfo:
    """The image's format and size, or `NotAnImage`."""
    if not data:
        raise NotAnImage("empty")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        info = _png(data)
    elif data.startswith(b"\xff\xd8\xff"):
        info = _jpeg(data)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        info = _webp(data)
    else:
        raise NotAnImage("format")
    if info.width <= 0 or info.height <= 0 or info.width * info.height > MAX_PIXELS:
        raise NotAnImage("dimensions")
    _pillow_verify(data)
    return info


def _png(data: bytes) -> ImageInfo:
    # Signature, then the IHDR chunk: length 13, type, width, height, …, CRC.
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise NotAnImage("corrupt")
    (length,) = struct.unpack(">I", data[8:12])
    if length != 13:
        raise NotAnImage("corrupt")
    (crc,) = struct.unpack(">I", data[29:33])
    if zlib.crc32(data[12:29]) & 0xFFFFFFFF != crc:
        raise NotAnImage("corrupt")
    width, height = struct.unpack(">II", data[16:24])
    if b"IDAT" not in data[33:]:
        raise NotAnImage("corrupt")
    return ImageInfo("png", width, height)


# Start-of-frame markers that carry the dimensions (not DHT C4, JPG C8, DAC CC).
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data: bytes) -> ImageInfo:
    i = 2
    size: tuple[int, int] | None = None
    n = len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            raise NotAnImage("corrupt")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if length < 2 or i + 2 + length > n:
            raise NotAnImage("corrupt")
        if marker in _SOF:
            if length < 7:
                raise NotAnImage("corrupt")
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            size = (width, height)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            if size is None:
                raise NotAnImage("corrupt")
            return ImageInfo("jpeg", size[0], size[1])
        i += 2 + length
    raise NotAnImage("corrupt")


def _webp(data: bytes) -> ImageInfo:
    (riff_size,) = struct.unpack("<I", data[4:8])
    if riff_size + 8 > len(data) or len(data) < 30:
        raise NotAnImage("corrupt")
    chunk = data[12:16]
    body = data[20:]
    if chunk == b"VP8 ":
        # Key frame: 3-byte frame tag, start code 9d 01 2a, then 14-bit width and height.
        if body[3:6] != b"\x9d\x01\x2a":
            raise NotAnImage("corrupt")
        width, height = struct.unpack("<HH", body[6:10])
        return ImageInfo("webp", width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L":
        if body[0] != 0x2F:
            raise NotAnImage("corrupt")
        bits = int.from_bytes(body[1:5], "little")
        return ImageInfo("webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        width = int.from_bytes(body[4:7], "little") + 1
        height = int.from_bytes(body[7:10], "little") + 1
        return ImageInfo("webp", width, height)
    raise NotAnImage("corrupt")


def _pillow_verify(data: bytes) -> None:
    try:
        from PIL import Image  # optional: used when installed
    except ImportError:
        return
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
    except Exception:
        raise NotAnImage("corrupt")


# --- tiny valid images, for tests and demo data -------------------------------------------


def tiny_png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A valid PNG of one colour (8-bit RGB)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    raw = row * height
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
