"""Pages in French and Spanish: the meeting's own texts, UN names in the language's order, the
error summary, and a name renamed by staff that every page then shows."""

import re

import pytest
from playwright.sync_api import Page, expect

from registration.auth.models import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_french_registration_page_and_its_error_summary(page: Page, live_server, event):
    page.goto(f"{live_server.base_url}/e/{event.slug}/register?lang=fr")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Renforcer le rôle de la migration de retour"
    )
    expect(
        page.get_by_label("Séance I : Le lien entre retour et développement – études de cas")
    ).to_be_visible()
    page.get_by_label("Je m'inscris en tant que").select_option(label="États Membres")
    entity = page.get_by_label("État ou organisation représenté")
    names = entity.locator("option[data-category]:not([disabled])").all_inner_texts()
    for earlier, later in [
        ("Égypte", "Équateur"),
        ("Équateur", "États-Unis d'Amérique"),
        ("États-Unis d'Amérique", "Fédération de Russie"),
        ("Iran (République islamique d')", "Maroc"),
        ("Türkiye", "Viet Nam"),
    ]:
        assert names.index(earlier) < names.index(later), names
    assert names[-1] == "Viet Nam"
    page.get_by_label("Prénom(s)").fill("Meera")
    page.get_by_role("button", name="S'inscrire").click()
    summary = page.get_by_role("alert").first
    expect(summary.get_by_role("heading")).to_have_text(
        "Veuillez corriger les champs signalés ci-dessous. "
        "Rien de ce que vous avez saisi n'a été perdu."
    )
    # Each entry of the summary names its field and the error, in French.
    entry = summary.get_by_role("link", name=re.compile(r"^Nom de famille\s:\sCe champ est requis"))
    expect(entry).to_be_visible()
    expect(page.get_by_text("Ce champ est requis.").first).to_be_visible()
    expect(page.get_by_label("Prénom(s)")).to_have_value("Meera")


def test_spanish_event_page_shows_the_meetings_spanish_texts(page: Page, live_server, event):
    page.goto(f"{live_server.base_url}/e/{event.slug}/?lang=es")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fortalecer el papel")
    expect(page.get_by_text("Ginebra, Suiza (lugar de demostración)")).to_be_visible()
    expect(page.get_by_text("Sesión II: Herramientas y medidas para el retorno")).to_be_visible()
    expect(page.get_by_text("Diálogo Internacional sobre la Migración 2008")).to_be_visible()


def test_a_name_renamed_by_staff_is_what_the_pages_show(page: Page, live_server, event, make_staff):
    admin = make_staff(Role.ADMIN)
    turkey = next(e for e in event.entities if e.iso_code == "TR")
    page.goto(f"{live_server.base_url}/manage/e/{event.slug}/setup/entities/{turkey.id}")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    french = page.get_by_label("Printed name (French)")
    expect(french).to_have_attribute("placeholder", "Türkiye")
    french.fill("<b>République de Türkiye</b>")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_have_text("The State or organisation is saved.")

    page.goto(f"{live_server.base_url}/e/{event.slug}/register?lang=fr")
    page.get_by_label("Je m'inscris en tant que").select_option(label="États Membres")
    entity = page.get_by_label("État ou organisation représenté")
    expect(entity.locator("option", has_text="<b>République de Türkiye</b>")).to_have_count(1)
    page.goto(f"{live_server.base_url}/e/{event.slug}/register?lang=es")
    page.get_by_label("Me inscribo como").select_option(label="Estados Miembros")
    entity = page.get_by_label("Estado u organización que representa")
    expect(entity.locator("option", has_text="Türkiye")).to_have_count(1)
    expect(entity.locator("option", has_text="République")).to_have_count(0)
