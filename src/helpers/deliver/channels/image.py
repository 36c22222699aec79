"""The poster made small enough for a robot: WeCom's image message takes at most 2 MB before
base64 ("图片（base64编码前）最大不能超过2M，支持JPG,PNG格式", group robot guide,
developer.work.weixin.qq.com/document/path/91770). A PNG over the limit is re-encoded as JPEG
(Pillow, pinned via requirements.txt), at lower quality and then smaller, until it fits."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

QUALITIES = (88, 80, 72)
SCALE_STEP = 0.8
SMALLEST_SIDE = 320  # below this the poster is no longer legible: give up instead


class TooLarge(Exception):
    """The image cannot be brought under the limit."""


@dataclass(frozen=True)
class Fitted:
    data: bytes
    format: str  # "png" (as made) or "jpeg" (re-encoded)
    original_size: int


def fit(png: bytes, limit: int) -> Fitted:
    """`png` itself when within `limit` bytes, else a JPEG re-encoding of it that is."""
    if len(png) <= limit:
        return Fitted(png, "png", len(png))
    try:
        image = Image.open(io.BytesIO(png))
        image.load()
    except (OSError, ValueError) as exc:
        raise TooLarge(f"the poster could not be read to re-encode it ({type(exc).__name__})") from None
    image = _flattened(image)
    while True:
        for quality in QUALITIES:
            data = _jpeg(image, quality)
            if len(data) <= limit:
                return Fitted(data, "jpeg", len(png))
        width, height = image.size
        if min(width, height) * SCALE_STEP < SMALLEST_SIDE:
            raise TooLarge(f"the poster stays over {limit} bytes even re-encoded at {width}x{height}")
        image = image.resize((round(width * SCALE_STEP), round(height * SCALE_STEP)), Image.Resampling.LANCZOS)


def _flattened(image: Image.Image) -> Image.Image:
    """RGB on white (JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()
