"""Images uploaded for posts: checked with Pillow, and resized copies made for ``srcset``.

Only JPEG, PNG, GIF and WebP are accepted, by what Pillow reads in the file, never by its
name (an SVG can carry script, and this site serves uploads from its own origin). Each
image larger than a width in ``WIDTHS`` gets a copy at that width, beside the original in
the media folder, so a phone downloads a fraction of a camera's file. Animated images are
kept as they are (a resized copy would keep only the first frame).
"""

from __future__ import annotations

import io
import os

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from salon.publishing.models import Media

WIDTHS = (480, 960, 1600)
FORMATS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
MAX_PIXELS = 50_000_000  # a 50-megapixel photograph; more is refused, not decoded


class ImageRefused(Exception):
    """The upload is not an image Salon will publish; the message says why and what to do."""


def read_image(data: bytes) -> tuple[str, int, int]:
    """The format, width and height of an uploaded image, or :class:`ImageRefused`."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, width, height = image.format, image.width, image.height
            if kind not in FORMATS:
                raise ImageRefused(
                    f"{kind or 'This file'} images are not accepted: upload a JPEG, PNG, GIF or WebP."
                )
            if width * height > MAX_PIXELS:
                raise ImageRefused(
                    f"The image is {width}×{height} pixels; resize it below 50 megapixels first."
                )
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
        if isinstance(error, ImageRefused):
            raise
        raise ImageRefused(
            "This file is not an image Salon can read: upload a JPEG, PNG, GIF or WebP."
        ) from None
    return kind, width, height


def _resized(image: Image.Image, width: int, kind: str) -> bytes:
    height = round(image.height * width / image.width)
    copy = image.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if kind == "JPEG":
        copy.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
    else:
        copy.save(out, kind, optimize=True)
    return out.getvalue()


def store_image(data: bytes, name: str, alt_text: str, user) -> Media:
    """Keep an uploaded image (turned upright from its EXIF orientation) and its resized
    copies; return its :class:`Media` row."""
    kind, _width, _height = read_image(data)
    stem = os.path.splitext(os.path.basename(name))[0][:80] or "image"
    extension = FORMATS[kind]
    with Image.open(io.BytesIO(data)) as opened:
        animated = getattr(opened, "is_animated", False)
        image = opened if animated else ImageOps.exif_transpose(opened)
        if not animated and image is not opened:
            # Store the upright picture, so every browser shows it the same way.
            out = io.BytesIO()
            image.save(out, kind, **({"quality": 90} if kind == "JPEG" else {}))
            data = out.getvalue()
        media = Media(alt_text=alt_text[:300], uploaded_by=user)
        media.file.save(f"{stem}{extension}", ContentFile(data), save=False)
        media.width, media.height = image.width, image.height
        variants = []
        if not animated:
            base = os.path.splitext(media.file.name)[0]
            for width in WIDTHS:
                if width >= image.width:
                    break
                stored = default_storage.save(
                    f"{base}-{width}w{extension}", ContentFile(_resized(image, width, kind))
                )
                variants.append({"width": width, "name": stored})
        media.variants = variants
        media.save()
    return media
