"""Photos are recognised from their bytes, not their names: JPEG, PNG and WebP with their
dimensions; anything else, damaged files and absurd sizes are refused."""

from __future__ import annotations

import io
import struct

import pytest

from cityguard.hazards import imagecheck


def jpeg(width: int = 640, height: int = 480) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = (
        b"\xff\xc0"
        + struct.pack(">HBHHB", 17, 8, height, width, 3)
        + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    )
    sos = b"\xff\xda" + struct.pack(">H", 12) + b"\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00"
    return b"\xff\xd8" + app0 + sof + sos + b"\x12\x34\x56" + b"\xff\xd9"


def _pillow_webp(width: int, height: int, lossless: bool) -> bytes | None:
    """A real WebP from Pillow when it is installed (imagecheck then also asks Pillow to
    verify, and a hand-made bitstream header would not decode)."""
    try:
        from PIL import Image, features
    except ImportError:
        return None
    if not features.check("webp"):
        return None
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, "WEBP", lossless=lossless)
    return out.getvalue()


def webp_lossless(width: int = 300, height: int = 200) -> bytes:
    real = _pillow_webp(width, height, lossless=True)
    return real if real is not None else handmade_webp_lossless(width, height)


def handmade_webp_lossless(width: int = 300, height: int = 200) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    body = b"\x2f" + bits.to_bytes(4, "little") + b"\x00" * 12
    chunk = b"VP8L" + struct.pack("<I", len(body)) + body
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def webp_lossy(width: int = 120, height: int = 90) -> bytes:
    real = _pillow_webp(width, height, lossless=False)
    return real if real is not None else handmade_webp_lossy(width, height)


def handmade_webp_lossy(width: int = 120, height: int = 90) -> bytes:
    body = b"\x10\x02\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height) + b"\x00" * 10
    chunk = b"VP8 " + struct.pack("<I", len(body)) + body
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def test_recognises_the_three_formats() -> None:
    png = imagecheck.sniff(imagecheck.tiny_png(7, 5))
    assert (png.format, png.width, png.height, png.content_type) == ("png", 7, 5, "image/png")
    jpg = imagecheck.sniff(jpeg())
    assert (jpg.format, jpg.width, jpg.height, jpg.extension) == ("jpeg", 640, 480, "jpg")
    assert imagecheck.sniff(webp_lossless()) == imagecheck.ImageInfo("webp", 300, 200)
    assert imagecheck.sniff(webp_lossy()) == imagecheck.ImageInfo("webp", 120, 90)


def test_headers_alone_without_pillow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where Pillow is not installed, the structure walk alone decides."""
    import sys

    monkeypatch.setitem(sys.modules, "PIL", None)  # `from PIL import …` now fails
    assert imagecheck.sniff(handmade_webp_lossless()) == imagecheck.ImageInfo("webp", 300, 200)
    assert imagecheck.sniff(handmade_webp_lossy()) == imagecheck.ImageInfo("webp", 120, 90)
    assert imagecheck.sniff(jpeg(32, 16)).format == "jpeg"
    with pytest.raises(imagecheck.NotAnImage):
        imagecheck.sniff(handmade_webp_lossless()[:20])


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"GIF89a\x01\x00\x01\x00", "format"),
        (b"%PDF-1.7\n", "format"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "format"),
        (b"MZ\x90\x00", "format"),
        (imagecheck.tiny_png()[:30], "corrupt"),
        (imagecheck.tiny_png()[:23] + b"\x09" + imagecheck.tiny_png()[24:], "corrupt"),  # CRC
        (jpeg()[:40], "corrupt"),
        (b"\xff\xd8\xff\xda\x00\x02", "corrupt"),  # scan before any frame header
        (handmade_webp_lossless()[:20], "corrupt"),
        (imagecheck.tiny_png(0, 5), "dimensions"),
        (jpeg(60000, 60000), "dimensions"),
    ],
)
def test_refuses(data: bytes, code: str) -> None:
    with pytest.raises(imagecheck.NotAnImage) as exc:
        imagecheck.sniff(data)
    assert exc.value.code == code
