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
