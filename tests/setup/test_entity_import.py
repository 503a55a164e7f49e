"""Importing States and organisations from CSV: preview, report of rejected lines, import."""

import pytest

from registration.audit.models import AuditEvent
from registration.auth.models import Role
from registration.events.models import Entity
from registration.setup import entity_import
from registration.setup.services import SetupError


def _category(event, code):
    return next(c for c in event.categories if c.code == code)


def test_states_by_iso_code_with_quotas_and_a_report_of_rejected_lines(db, event):
    text = "code;quota\nDE;3\ndeu\nXX\nNL\nfra;two\nFR\n\nKE;1;extra\n"
    result = entity_import.preview(event, _category(event, "member-state"), text)
    assert [(line.iso_code, line.quota) for line in result.new] == [("DE", 3), ("FR", None)]
    assert [line.name for line in result.existing] == ["Netherlands (Kingdom of the)"]
    rejected = {line.line: line.reason for line in result.rejected}
    assert set(rejected) == {3, 4, 6, 9}
    assert "first on line 2" in rejected[3]  # DEU is Germany again
    assert "XX is not an ISO 3166-1 country code" in rejected[4]
    assert "two is not a whole number" in rejected[6]
    assert "Too many columns" in rejected[9]
    assert db.session.execute(db.select(Entity).where(Entity.iso_code == "DE")).first() is None


def test_organisations_by_name_with_quoted_commas(event):
    text = (
        'name,quota\n"Migrants, Refugees and Friends",2\n'
        "Damayan Habagat Foundation\n  Diaspora   Network \n"
    )
    result = entity_import.preview(event, _category(event, "ngo"), text)
    assert [line.name for line in result.new] == [
        "Migrants, Refugees and Friends",
        "Diaspora Network",
    ]
    assert result.new[0].quota == 2
    assert [line.name for line in result.existing] == ["Damayan Habagat Foundation"]


def test_a_single_column_file_without_header(event):
    result = entity_import.preview(event, _category(event, "igo"), "Org A\nOrg B\n")
    assert [line.name for line in result.new] == ["Org A", "Org B"]


def test_import_adds_only_new_lines_and_is_audited(db, event, make_staff):
    admin = make_staff(Role.ADMIN)
    states = _category(event, "member-state")
    result = entity_import.import_entities(event, states, "SN,3\nNL\nZZ\n", by=admin)
    db.session.commit()
    senegal = db.session.execute(db.select(Entity).where(Entity.iso_code == "SN")).scalar_one()
    assert senegal.quota == 3 and senegal.category_id == states.id
    assert len(result.new) == 1 and len(result.rejected) == 1
    entry = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "entities_imported")
    ).scalar_one()
    assert entry.changes == {"entities": [None, ["Senegal"]]}
    # Importing the same file again adds nothing.
    again = entity_import.import_entities(event, states, "SN,3\n", by=admin)
    assert not again.new and len(again.existing) == 1


def test_decoding_accepts_utf8_with_bom_and_windows_files():
    assert entity_import.decode("\ufeffCôte d'Ivoire".encode()) == "Côte d'Ivoire"
    assert entity_import.decode("Société".encode("cp1252")) == "Société"


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4\x00\x01binary", b"x" * (entity_import.MAX_BYTES + 1)],
)
def test_binary_or_large_files_are_refused(data):
    with pytest.raises(SetupError) as caught:
        entity_import.decode(data)
    assert caught.value.code == "invalid_csv" and caught.value.field == "file"


def test_too_many_lines_are_refused(event):
    with pytest.raises(SetupError) as caught:
        entity_import.preview(event, _category(event, "ngo"), "x\n" * (entity_import.MAX_LINES + 1))
    assert caught.value.code == "invalid_csv"


def test_control_characters_and_long_names_are_rejected_lines(event):
    text = "Bad\x07Name\n" + "N" * 301 + "\n" + "L" * 150_000 + "\n"
    result = entity_import.preview(event, _category(event, "ngo"), text)
    assert [line.line for line in result.rejected] == [1, 2, 3]
    assert not result.new


def test_a_confirmed_text_with_nul_characters_is_refused(event):
    with pytest.raises(SetupError) as caught:
        entity_import.preview(event, _category(event, "ngo"), "a\x00b")
    assert caught.value.code == "invalid_csv"


def test_a_category_of_another_event_is_refused(event):
    other = _category(event, "ngo")
    other.event_id = -1
    with pytest.raises(SetupError) as caught:
        entity_import.preview(event, other, "X")
    assert caught.value.code == "invalid_category"
    other.event_id = event.id


def test_a_quota_beyond_an_integer_column_is_a_rejected_line(db, event):
    text = "code,quota\nDE,99999999999999999999\nFR,2147483647\n"
    result = entity_import.preview(event, _category(event, "member-state"), text)
    assert [line.iso_code for line in result.new] == ["FR"]
    assert "is too large" in result.rejected[0].reason
