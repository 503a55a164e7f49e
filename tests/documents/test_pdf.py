"""The one WeasyPrint entry point and its URL fetcher: only our files, nothing else."""

import pytest

from registration.delegates.photos import store_photo
from registration.documents import pdf
from registration.storage import open_storage
from tests.delegates.photo_files import image_bytes
from tests.documents.conftest import pdf_pages


@pytest.fixture
def fetcher(app):
    return pdf.DocumentFetcher(pdf.Sources.from_app())


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1/",
        "https://example.org/logo.png",
        "ftp://example.org/x",
        "data:text/plain,hello",
        "regdoc:static/../../../etc/passwd",
        "regdoc:static/%2e%2e/%2e%2e/etc/passwd",
        "regdoc:static/app.py",
        "regdoc:photo/../secret_key",
        "regdoc:photo/../../etc/passwd.jpg",
        "regdoc:photo/missing.jpg",
        "regdoc:template/documents/badge.html",
        "regdoc:static/app.css?x=1",
    ],
)
def test_fetcher_refuses_everything_but_our_files(fetcher, url):
    with pytest.raises(pdf.RefusedURL):
        fetcher.fetch(url)


def test_fetcher_serves_static_assets_and_stored_photos(fetcher):
    name = store_photo(image_bytes())

    css = fetcher.fetch("regdoc:static/app.css")
    photo = fetcher.fetch(f"regdoc:photo/{name}")

    assert css.content_type == "text/css" and b"{" in css.read()
    assert photo.content_type == "image/jpeg" and photo.read()[:2] == b"\xff\xd8"
    css.close()
    photo.close()


def test_fetcher_does_not_follow_symlinks_out_of_its_folders(app, tmp_path):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"secret")
    (tmp_path / "files" / "photos").mkdir(parents=True)
    (tmp_path / "files" / "photos" / ("a" * 32 + ".jpg")).symlink_to(secret)
    (tmp_path / "files" / "app.css").symlink_to(secret)
    local = open_storage((tmp_path / "files").as_uri(), {})
    fetcher = pdf.DocumentFetcher(pdf.Sources(tmp_path / "files", local))
    for url in (f"regdoc:photo/{'a' * 32}.jpg", "regdoc:static/app.css"):
        with pytest.raises(pdf.RefusedURL):
            fetcher.fetch(url)


def test_render_fetches_nothing_outside(app, idle_server, monkeypatch):
    asked = []
    original = pdf.DocumentFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf.DocumentFetcher, "fetch", spy)
    html = (
        f'<html><head><link rel="stylesheet" href="{idle_server.url}/style.css"></head><body>'
        f'<p>Hello</p><img src="file:///etc/passwd"><img src="{idle_server.url}/x.png">'
        f'<p style="background: url({idle_server.url}/bg.png)">styled</p></body></html>'
    )

    data = pdf.render_pdf(html, [])

    assert "Hello" in pdf_pages(data)[0]
    assert idle_server.connections == 0
    assert asked  # WeasyPrint asked, and every request was refused by the fetcher
    assert all(not url.startswith(pdf.SCHEME) for url in asked)
