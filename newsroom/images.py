"""Staff uploads: only raster pictures, re-encoded by Pillow so nothing but pixels is kept.

An SVG (or an HTML file named .png) served from our own origin could run script in a
reader's browser; a phone photo's EXIF can say where it was taken. So a lead image is
opened and decoded by Pillow, must be a JPEG, PNG or WebP picture, and is written out
again from its pixels alone: no EXIF (GPS included), no comments, no text chunks.
"""

from io import BytesIO
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's format name → the extension we store and the content type we declare.
LEAD_IMAGE_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
LEAD_IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000  # about 8000 × 5000: larger than any lead image needs

NOT_A_PICTURE = (
    "Upload a JPEG, PNG or WebP picture. This file is not one; SVG drawings and other "
    "files are refused because a browser could run code inside them."
)

TOO_MANY_PIXELS = (
    "This picture has more than 40 million pixels. Export it smaller (2400 pixels wide is "
    "plenty) and upload it again."
)


def lead_image_clean(upload) -> SimpleUploadedFile:
    """Answer a re-encoded copy of the upload, or raise ValidationError saying why not."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            "This picture is larger than 20 MB. Export it smaller (2400 pixels wide is "
            "plenty) and upload it again.",
            code="too_large",
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format not in LEAD_IMAGE_FORMATS:
                raise ValidationError(NOT_A_PICTURE, code="not_raster")
            if image.width * image.height > MAX_PIXELS:
                raise Image.DecompressionBombError(f"{image.width} × {image.height} pixels")
            image_format = image.format
            pixels = _pixels_only(image)
    except Image.DecompressionBombError as error:
        raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(NOT_A_PICTURE, code="not_raster") from error
    extension, content_type = LEAD_IMAGE_FORMATS[image_format]
    output = BytesIO()
    if image_format == "JPEG":
        pixels.save(output, "JPEG", quality=90, optimize=True, progressive=True)
    elif image_format == "PNG":
        pixels.save(output, "PNG", optimize=True)
    else:
        pixels.save(output, "WEBP", quality=90)
    name = f"{PurePath(upload.name).stem or 'lead-image'}.{extension}"
    return SimpleUploadedFile(name, output.getvalue(), content_type=content_type)


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image holding the decoded pixels and nothing of the original's metadata."""
    # A photo turned by its EXIF orientation must stay upright once the EXIF is gone.
    upright = ImageOps.exif_transpose(image)
    if image.format == "JPEG":
        mode = upright.mode if upright.mode in ("L", "RGB", "CMYK") else "RGB"
    else:
        mode = upright.mode if upright.mode in ("L", "LA", "RGB", "RGBA") else "RGBA"
    converted = upright.convert(mode)
    return Image.frombytes(converted.mode, converted.size, converted.tobytes())
