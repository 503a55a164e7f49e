"""Small back-office behaviours: second heads, Unicode addresses, sub-navigation."""


def test_the_detail_page_warns_of_a_second_head(client, sign_in, make_registration):
    sign_in("viewer")
    head = make_registration("approved", head_of_delegation=True)
    second = make_registration("pending", head_of_delegation=True)
    page = client.get(f"/manage/registrations/{second.id}").text
    warning = page.split('id="second-head"')[1].split("</div>")[0]
    assert head.reference in warning and "more than one head" in warning


def test_idn_addresses_are_shown_in_unicode(client, sign_in, make_registration):
    from registration.delegates.models import display_email

    assert display_email("ana@xn--bcher-kva.example") == "ana@bücher.example"
    assert display_email("ana@example.org") == "ana@example.org"
    assert display_email("ana@xn--zz.example") == "ana@xn--zz.example"  # not punycode: as is
    sign_in("viewer")
    registration = make_registration("pending", email="ana@xn--bcher-kva.example")
    assert "ana@bücher.example" in client.get(f"/manage/registrations/{registration.id}").text


def test_free_text_organisations_are_listed_and_filterable(
    client, sign_in, event, make_registration
):
    ngo = next(c for c in event.categories if c.code == "ngo")
    typed = {"category_id": ngo.id, "entity_id": None, "other_organisation": "Réseau Retour"}
    make_registration("pending", **typed)
    make_registration("approved", **typed)
    make_registration("pending")
    sign_in("viewer")

    delegations = client.get(f"/manage/e/{event.slug}/delegations/").text
    table = delegations.split('id="other-organisations"')[1].split("</table>")[0]
    assert "Réseau Retour" in table and "<td>2</td>" in table

    listing = client.get(
        f"/manage/e/{event.slug}/registrations", query_string={"organisation": "Réseau Retour"}
    ).text
    assert listing.count("<tr data-reference=") == 2
    assert "<option selected>Réseau Retour</option>" in listing


def test_documents_and_statistics_carry_the_back_office_menu(client, sign_in, event):
    sign_in("viewer")
    for path, current in (("documents", "Badges and documents"), ("statistics", "Statistics")):
        page = client.get(f"/manage/e/{event.slug}/{path}").text
        menu = page.split('class="manage-nav"')[1].split("</nav>")[0]
        assert f'aria-current="page">{current}</a>' in menu


def test_every_page_names_its_favicon(client, event):
    page = client.get(f"/e/{event.slug}/register").text
    assert '<link rel="icon" href="/static/favicon.svg"' in page
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.data.startswith(b"<svg")
    icon.close()


def test_live_counts_have_no_empty_header(client, sign_in, event):
    import re

    sign_in("registrar")
    page = client.get(f"/desk/e/{event.slug}/dashboard").text
    headers = re.findall(r"<th[^>]*>(.*?)</th>", page, re.S)
    assert headers and all(re.sub(r"<[^>]+>", "", text).strip() for text in headers)
