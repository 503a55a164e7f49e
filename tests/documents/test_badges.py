"""Badges: content, layouts, QR code, fitting, the page cache and batches."""

import io

import pytest
from werkzeug.datastructures import MultiDict

from registration.audit.models import AuditEvent
from registration.delegates.filters import RegistrationFilter, parse_filter
from registration.delegates.models import Registration
from registration.delegates.photos import store_photo
from registration.demo.fake import fake_registrations
from registration.documents import badge_pages, badges, pdf, services
from registration.documents.fitting import POINTS_PER_MM, Box, fit, text_width
from registration.documents.services import DocumentError
from tests.delegates.photo_files import image_bytes
from tests.documents.conftest import decode_qr, pdf_page_sizes_mm, pdf_pages


@pytest.fixture(autouse=True)
def badge_cache(app, tmp_path):
    """A fresh page cache for each test."""
    app.config["BADGE_CACHE_DIR"] = str(tmp_path / "badge-cache")
    yield tmp_path / "badge-cache"
    app.config.pop("BADGE_CACHE_DIR")


def test_badge_shows_the_person_and_holds_only_the_badge_token(make_registration):
    registration = make_registration(
        "approved", given_name="Anna", family_name="van den Berg", photo=store_photo(image_bytes())
    )

    data = services.render_badge(registration)

    text = pdf_pages(data)[0]
    for expected in ("Ms Anna", "VAN DEN BERG", "Netherlands", "Member States", "Enhancing"):
        assert expected in text
    assert registration.reference in text
    assert decode_qr(data) == [registration.badge_token]
    assert pdf_page_sizes_mm(data) == [(105.0, 148.0)]


def test_card_and_a4_sheet_layouts(db, event, make_registration):
    registrations = [make_registration("approved", given_name=f"P{i}") for i in range(6)]

    card = services.render_badge(registrations[0], "card")
    sheet = io.BytesIO()
    batch = services.badge_batch(event, RegistrationFilter())
    services.write_badges(batch, sheet, output="a4-4up", crop_marks=True)

    assert pdf_page_sizes_mm(card) == [(54.0, 85.6)]
    assert decode_qr(card) == [registrations[0].badge_token]
    pages = pdf_pages(sheet.getvalue())
    assert pdf_page_sizes_mm(sheet.getvalue()) == [(210.0, 297.0)] * 2
    assert sum(page.count("Ms P") for page in pages) == 6
    assert sorted(decode_qr(sheet.getvalue())) == sorted(r.badge_token for r in registrations[:4])


def test_long_names_shrink_and_are_never_cut(make_registration):
    given = "María de los Ángeles Inmaculada Concepción"
    family = "Fernández-Castañeda y Rodríguez de la Fuente Villanueva del Campo"
    registration = make_registration("approved", given_name=given, family_name=family)

    for layout in ("a6", "card"):
        pages = pdf_pages(services.render_badge(registration, layout))

        assert len(pages) == 1
        words = " ".join(pages[0].split())
        for word in f"{given} {family.upper()}".split():
            assert word in words


def test_fit_keeps_every_line_inside_its_box():
    box = Box(50, 20, 30, 18, max_lines=2, bold=True)
    for text in ("LI", "NGUYỄN", "FERNÁNDEZ-CASTAÑEDA Y RODRÍGUEZ DE LA FUENTE", "X" * 90):
        fitted = fit(text, box)
        width = max(text_width(line, bold=True) for line in fitted.lines) * fitted.size
        assert width <= 50 * POINTS_PER_MM
        assert " ".join(fitted.lines) == text
    assert fit("LI", box).size == 30
    assert fit("X" * 90, box).size < 18  # one word: smaller, not cut


def test_user_data_is_text_and_fetches_nothing(make_registration, idle_server, monkeypatch):
    asked = []
    original = pdf.DocumentFetcher.fetch
    monkeypatch.setattr(
        pdf.DocumentFetcher,
        "fetch",
        lambda self, url, headers=None: asked.append(url) or original(self, url, headers),
    )
    given = '<img src="file:///etc/passwd">'
    family = f'<link rel=stylesheet href="{idle_server.url}/x.css"> {idle_server.url}/y'
    registration = make_registration(
        "approved", given_name=given, family_name=family, other_organisation="<b>x</b>"
    )

    text = " ".join(pdf_pages(services.render_badge(registration))[0].split())

    assert '<img src="file:///etc/passwd">' in text
    assert f"{idle_server.url.upper()}/Y" in text
    assert idle_server.connections == 0
    assert asked == []  # no photo: nothing at all was fetched


def test_category_colour_is_checked_again_before_use():
    assert badges.safe_colour("#0033A0") == "#0033A0"
    for bad in ("red", "#12345", "#0033A0; background: url(http://x)", "", None):
        assert badges.safe_colour(bad) == "#404040"
    assert badges.text_colour("#FFC000") == "#000000"
    assert badges.text_colour("#0033A0") == "#ffffff"


def test_only_approved_registrations_have_a_badge(make_registration):
    registration = make_registration("pending")

    with pytest.raises(DocumentError) as refused:
        services.render_badge(registration)

    assert refused.value.code == "not_approved"


def test_unknown_layout_is_refused(make_registration):
    with pytest.raises(DocumentError) as refused:
        services.render_badge(make_registration("approved"), "a3")
    assert refused.value.code == "unknown_layout"


def test_pages_come_from_the_cache_until_the_content_changes(db, make_registration, monkeypatch):
    registration = make_registration("approved", family_name="Visser")
    services.render_badge(registration)
    calls = []
    original = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda *a: calls.append(1) or original(*a))

    services.render_badge(registration)
    assert calls == []

    registration.family_name = "Bakker"
    db.session.commit()
    assert "BAKKER" in pdf_pages(services.render_badge(registration))[0]
    assert calls == [1]


def test_batches_select_approved_alphabetically_and_new_only(db, event, make_registration):
    make_registration("approved", family_name="Zeeman")
    make_registration("approved", family_name="Appel")
    make_registration("pending", family_name="Mulder")
    printed = make_registration("approved", family_name="Bos")
    services.mark_badges_printed([printed.id])
    db.session.commit()

    every = services.badge_batch(event, RegistrationFilter())
    new = services.badge_batch(event, RegistrationFilter(), only_new=True)
    pending = services.badge_batch(event, parse_filter(MultiDict({"status": "pending"})))

    assert [c["family_name"] for c in every.contents] == ["APPEL", "BOS", "ZEEMAN"]
    assert [c["family_name"] for c in new.contents] == ["APPEL", "ZEEMAN"]
    assert pending.ids == []
    with pytest.raises(DocumentError) as refused:
        services.write_badges(pending, io.BytesIO())
    assert refused.value.code == "nothing_to_print"


def test_marking_printed_is_audited_once(db, make_registration, make_staff):
    registration = make_registration("approved")
    staff = make_staff()

    assert services.mark_badges_printed([registration.id], by=staff) == 1
    assert services.mark_badges_printed([registration.id], by=staff) == 0
    db.session.commit()

    assert db.session.get(Registration, registration.id).badge_printed_at is not None
    actions = db.session.execute(
        db.select(AuditEvent.action).where(AuditEvent.registration_id == registration.id)
    ).scalars()
    assert list(actions).count("badge_printed") == 1


def test_prerender_fills_the_cache_in_rounds(db, event, make_registration, badge_cache):
    for name in ("A", "B", "C"):
        make_registration("approved", family_name=name)
    make_registration("pending", family_name="D")

    assert services.prerender_badges(2) == 2
    assert services.prerender_badges(2) == 1
    assert services.prerender_badges(2) == 0
    assert len(list(badge_cache.glob("a6/??/*.pdf"))) == 3


def test_cold_batch_renders_in_chunks_in_order(app, db, event):
    fake_registrations(event, 3 * badge_pages.CHUNK + 5, status="approved", seed=11)
    db.session.commit()
    batch = services.badge_batch(event, RegistrationFilter())
    progress = []
    output = io.BytesIO()

    services.write_badges(batch, output, progress=lambda done, total: progress.append(done))

    pages = pdf_pages(output.getvalue())
    assert len(pages) == len(batch.ids)
    for page, content in zip(pages, batch.contents, strict=True):
        assert content["reference"] in page
    assert progress[0] == 0 and progress[-1] == len(batch.ids)


def test_prune_keeps_only_pages_still_shown(db, make_registration, badge_cache):
    kept = make_registration("approved", family_name="Kept")
    changed = make_registration("approved", family_name="Before")
    services.render_badge(kept)
    services.render_badge(kept, "card")
    services.render_badge(changed)
    changed.family_name = "After"
    db.session.commit()

    assert services.prune_badge_cache() == 1
    assert len(list(badge_cache.glob("*/??/*.pdf"))) == 2
