"""Names in every script print: the PDFs embed fonts that have their glyphs (never a box).

The fonts come from fonts-noto-core and fonts-noto-cjk (README, Makefile, .ci/run) and are
named in the documents' CSS. Each test renders real documents and inspects the PDF: the text
extracted (pypdf) is the names, every glyph drawn is a real glyph (no glyph 0, the empty box
of a missing character), and the font subsets embedded (pikepdf, fontTools) map the names'
characters to glyphs.
"""

import io
from datetime import UTC, datetime

import pikepdf
import pytest
from fontTools.ttLib import TTFont

from registration.delegates.filters import RegistrationFilter
from registration.desk.models import Attendance
from registration.documents import certificates, participants, services
from tests.documents.conftest import pdf_pages

#: Given name, family name: Chinese, Japanese, Korean, Arabic, Cyrillic, Greek, Devanagari.
NAMES = [
    ("小明", "王"),
    ("はなこ", "山田"),
    ("민준", "김"),
    ("محمد", "عبد الله"),
    ("Иван", "Петров"),
    ("Γιώργος", "Παπαδόπουλος"),
    ("देवेन्द्र", "शर्मा"),
]
#: Scripts whose characters each map to one glyph (Devanagari and Arabic form conjuncts and
#: joined forms, which a subset reaches through shaping, not through its character map).
_ONE_GLYPH_PER_CHARACTER = {0, 1, 2, 4, 5}


@pytest.fixture(autouse=True)
def _empty_badge_cache(badge_cache):
    """Every test renders its badges afresh."""


def _fonts(data: bytes) -> dict[str, tuple[str, TTFont]]:
    """{resource name: (base font name, embedded font program)} of every page."""
    fonts = {}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for name, font in page.Resources.Font.items():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                descriptor = descendant.FontDescriptor
                program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
                fonts[name] = (str(font.BaseFont), TTFont(io.BytesIO(program.read_bytes())))
    return fonts


def _glyph_ids(data: bytes) -> list[int]:
    """Every glyph id drawn by a text operator (Type0 fonts: two bytes per glyph)."""
    ids = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "Tj":
                    strings = [operands[0]]
                elif str(operator) == "TJ":
                    strings = [item for item in operands[0] if isinstance(item, pikepdf.String)]
                else:
                    continue
                for string in strings:
                    raw = bytes(string)
                    ids += [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
    return ids


def _check_every_script_prints(data: bytes) -> str:
    text = "".join(pdf_pages(data))
    fonts = _fonts(data)
    covered = set()
    for _base, program in fonts.values():
        covered |= set((program.getBestCmap() or {}).keys())
    for index, (given, family) in enumerate(NAMES):
        assert given in text, given
        if index in _ONE_GLYPH_PER_CHARACTER:
            missing = {c for c in given + family.upper() if c != " " and ord(c) not in covered}
            assert not missing, f"no glyph for {missing} in {[b for b, _f in fonts.values()]}"
    bases = " ".join(base for base, _program in fonts.values())
    assert "Noto-Sans-CJK" in bases and "Noto-Sans-Devanagari" in bases
    ids = _glyph_ids(data)
    assert ids and 0 not in ids  # glyph 0 is the empty box of a missing character
    return text


@pytest.fixture
def people(make_registration):
    return [
        make_registration("approved", given_name=given, family_name=family, email=f"p{i}@x.org")
        for i, (given, family) in enumerate(NAMES)
    ]


def test_one_badge_per_script_shows_the_name_with_real_glyphs(people):
    for person in people:
        data = services.render_badge(person)
        assert person.given_name in pdf_pages(data)[0]
        assert 0 not in _glyph_ids(data)


def test_a_badge_batch_embeds_the_fonts_of_every_script(event, people):
    output = io.BytesIO()
    services.write_badges(services.badge_batch(event, RegistrationFilter()), output)
    _check_every_script_prints(output.getvalue())


def test_list_of_participants_prints_names_in_every_script(event, people):
    data = participants.render_participants(participants.participants_data(event, "en"))
    _check_every_script_prints(data)


@pytest.mark.parametrize("index", range(len(NAMES)))
def test_certificates_print_names_in_every_script(db, people, index, meeting_ended):
    person = people[index]
    at = datetime(2026, 12, 17, 8, 0, tzinfo=UTC)
    db.session.add(Attendance(registration_id=person.id, checkpoint="venue", checked_in_at=at))
    db.session.commit()
    data = certificates.render_certificate(person)
    assert person.given_name in pdf_pages(data)[0]
    assert 0 not in _glyph_ids(data)
