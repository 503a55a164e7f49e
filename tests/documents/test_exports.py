"""Exports: CSV and XLSX with chosen columns, formula injection, the attendance matrix."""

import csv
import io
from datetime import UTC, datetime

import openpyxl
import pytest
from werkzeug.datastructures import MultiDict

from registration.delegates.filters import RegistrationFilter, parse_filter
from registration.desk.models import Attendance
from registration.documents import exports
from registration.documents.services import DocumentError


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def test_csv_has_the_chosen_columns_in_the_chosen_order(event, make_registration):
    make_registration("approved", given_name="Zoë", family_name="Ångström", phone="")

    rows = _csv(
        exports.export_registrations(
            event, RegistrationFilter(), ["family_name", "reference", "given_name", "status"], "csv"
        )
    )

    assert rows[0] == ["Family name", "Reference", "Given name(s)", "Status"]
    assert rows[1][0] == "Ångström" and rows[1][2] == "Zoë" and rows[1][3] == "Approved"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_like_cells_are_neutralised(event, make_registration, fmt):
    make_registration(
        "approved",
        given_name='=HYPERLINK("http://evil.example","click")',
        family_name="+cmd|' /C calc'!A0",
        function="-2+3",
        unit="@SUM(A1)",
        phone="+41 22 000 00 00",
    )
    columns = ["given_name", "family_name", "function", "unit", "phone"]

    data = exports.export_registrations(event, RegistrationFilter(), columns, fmt)

    typed = [
        '=HYPERLINK("http://evil.example","click")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
        "+41 22 000 00 00",
    ]
    if fmt == "csv":
        assert _csv(data)[1] == ["'" + value for value in typed]
    else:
        # Text cells, which no program evaluates, and no visible apostrophe.
        sheet = _sheet(data)
        cells = [sheet.cell(row=2, column=i + 1) for i in range(len(columns))]
        assert all(cell.data_type == "s" for cell in cells)
        assert [cell.value for cell in cells] == typed


def test_xlsx_export_follows_the_filter(event, make_registration):
    make_registration("approved", family_name="Kept")
    make_registration("pending", family_name="Left")
    selection = parse_filter(MultiDict({"status": "approved"}))

    sheet = _sheet(
        exports.export_registrations(event, selection, ["family_name", "sessions"], "xlsx")
    )

    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [("Family name", "Sessions"), ("Kept", event.sessions[3].title_in("en"))]
    assert sheet.freeze_panes == "A2"


def test_unknown_or_no_columns_are_refused(event):
    for columns in (["family_name", "password_hash"], []):
        with pytest.raises(DocumentError) as refused:
            exports.export_registrations(event, RegistrationFilter(), columns, "csv")
        assert refused.value.code == "unknown_column"


def test_attendance_matrix(db, event, make_registration):
    present = make_registration("approved", family_name="Present")
    absent = make_registration("approved", family_name="Absent")
    make_registration("pending", family_name="Pending")
    session = event.sessions[3]
    other = event.sessions[4]
    at = datetime(2026, 12, 17, 8, 55, tzinfo=UTC)  # 09:55 in Geneva
    db.session.add_all(
        [
            Attendance(registration_id=present.id, checkpoint="venue", checked_in_at=at),
            Attendance(
                registration_id=present.id,
                checkpoint=session.code,
                session_id=session.id,
                checked_in_at=at.replace(hour=10),
            ),
            Attendance(  # annulled: does not count
                registration_id=present.id,
                checkpoint=other.code,
                session_id=other.id,
                checked_in_at=at,
                annulled_at=at,
            ),
        ]
    )
    db.session.commit()

    rows = list(_sheet(exports.export_attendance(event)).iter_rows(values_only=True))

    heading = rows[0]
    assert heading[:5] == ("Reference", "Name", "Category", "State or organisation", "Venue entry")
    assert heading[-1] == "Sessions attended"
    assert len(heading) == 6 + len(event.sessions)
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {present.full_name, absent.full_name}
    row = by_name[present.full_name]
    assert row[4] == datetime(2026, 12, 17, 9, 55)
    assert row[5 + 3] == datetime(2026, 12, 17, 11, 55)
    assert row[5 + 4] is None
    assert row[-1] == 1
    assert by_name[absent.full_name][-1] == 0
