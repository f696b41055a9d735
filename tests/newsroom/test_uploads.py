"""Staff upload lead images: pictures only, stored without what the camera knew."""

from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from newsroom.models import Article
from tests.factories import AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/admin/').then(r => r.text()).then(steal)</script></svg>"
)
GPS_IFD = 0x8825


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x0132] = "2026:11:27 09:15:00"  # when
    exif[GPS_IFD] = {1: "N", 2: (59.0, 26.0, 12.5), 3: "E", 4: (24.0, 44.0, 6.1)}  # where
    output = BytesIO()
    image.save(output, "JPEG", exif=exif, quality=95)
    return output.getvalue()


def _post_article(client, upload: SimpleUploadedFile):
    return client.post(
        "/admin/newsroom/article/add/",
        {
            "headline": "Harbour wall repaired",
            "slug": "harbour-wall-repaired",
            "body": "<p>The wall stands again.</p>",
            "authors": [AuthorFactory().pk],
            "section": SectionFactory().pk,
            "status": Article.Status.DRAFT,
            "lead_image": upload,
            "lead_image_alt": "A stone wall by the water",
        },
    )


def _form_errors(response) -> str:
    return " ".join(str(e) for e in response.context["adminform"].form.errors.get("lead_image", []))


def test_an_svg_with_a_script_is_refused_with_a_reason(superuser_client):
    response = _post_article(
        superuser_client, SimpleUploadedFile("map.svg", SVG_WITH_SCRIPT, "image/svg+xml")
    )

    assert response.status_code == 200
    assert "Upload a JPEG, PNG or WebP picture" in _form_errors(response)
    assert "SVG drawings and other files are refused" in response.content.decode()
    assert not Article.objects.exists()


def test_a_file_named_png_that_is_not_a_picture_is_refused(superuser_client):
    page = b"<html><body><script>alert(document.cookie)</script></body></html>"

    response = _post_article(superuser_client, SimpleUploadedFile("photo.png", page, "image/png"))

    assert "Upload a JPEG, PNG or WebP picture" in _form_errors(response)
    assert not Article.objects.exists()


def test_a_photo_is_stored_without_its_location_or_camera(superuser_client):
    original = _photo_with_gps()
    assert Image.open(BytesIO(original)).getexif().get_ifd(GPS_IFD), "the test photo has GPS"

    response = _post_article(
        superuser_client, SimpleUploadedFile("quay.jpg", original, "image/jpeg")
    )

    assert response.status_code == 302, _form_errors(response)
    stored = default_storage.open(Article.objects.get().lead_image.name).read()
    with Image.open(BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert image.size == (64, 48)
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
    assert b"PhoneMaker" not in stored


def test_a_picture_is_stored_under_the_extension_of_what_it_really_is(superuser_client):
    jpeg = _photo_with_gps()

    response = _post_article(superuser_client, SimpleUploadedFile("chart.png", jpeg, "image/png"))

    assert response.status_code == 302, _form_errors(response)
    name = Article.objects.get().lead_image.name
    assert name.endswith(".jpg")
    assert Image.open(default_storage.open(name)).format == "JPEG"


def test_a_png_keeps_its_transparency_and_loses_its_metadata(superuser_client):
    image = Image.new("RGBA", (20, 20), (255, 0, 0, 0))
    image.putpixel((5, 5), (0, 0, 255, 255))
    output = BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    image.save(output, "PNG", exif=exif)

    response = _post_article(
        superuser_client, SimpleUploadedFile("logo.png", output.getvalue(), "image/png")
    )

    assert response.status_code == 302, _form_errors(response)
    stored = default_storage.open(Article.objects.get().lead_image.name).read()
    with Image.open(BytesIO(stored)) as saved:
        assert saved.getpixel((0, 0))[3] == 0
        assert saved.getpixel((5, 5)) == (0, 0, 255, 255)
    assert b"PhoneMaker" not in stored
