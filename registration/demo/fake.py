"""Synthetic registrations for demonstrations, tests and benchmarks (`flask demo fake`).

Names are realistic and come from many countries (romanised as in UN lists, with their
diacritics); every category of the event gets delegates, each with an entity, a function and
chosen sessions. Rows are inserted in bulk, without audit entries or emails: nobody is told
about people who do not exist, and 10,000 rows take seconds. Addresses use example.org.
"""

import io
import random
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

import pycountry
import sqlalchemy as sa
from PIL import Image, ImageDraw

from registration.database import utcnow
from registration.delegates.models import (
    BADGE,
    MANAGE,
    Registration,
    Status,
    registration_session,
    token_columns,
)
from registration.delegates.photos import store_photo
from registration.delegates.services import person_key
from registration.events.models import Category, Entity, Event
from registration.extensions import db
from registration.security import new_reference, new_token


@dataclass(frozen=True)
class _Names:
    """Given names (female, male) and family names of one country, and its usual language."""

    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]
    language: str = "en"


NAMES: dict[str, _Names] = {
    "NL": _Names(
        ("Anna", "Sanne", "Femke", "Lotte", "Eva", "Marieke"),
        ("Jan", "Pieter", "Daan", "Bram", "Sjoerd", "Han-Maurits"),
        ("de Vries", "van den Berg", "Jansen", "Bakker", "Visser", "van der Meer", "Schaapveld"),
    ),
    "CO": _Names(
        ("María José", "Valentina", "Lucía", "Camila", "Ximena"),
        ("Andrés", "Santiago", "Juan Pablo", "Fernando", "Julián"),
        ("Alzate Donoso", "Rodríguez", "Martínez Peña", "Gómez", "Ospina", "Quintero"),
        "es",
    ),
    "SV": _Names(
        ("Ana Beatriz", "Gabriela", "Rosa Elena", "Carmen"),
        ("Rafael", "José Luis", "Óscar", "Mauricio"),
        ("Álvarez", "Hernández", "Menjívar", "Chávez", "Núñez"),
        "es",
    ),
    "DO": _Names(
        ("Altagracia", "Yolanda", "Mercedes", "Carolina"),
        ("Carlos Eladio", "Rafael Leónidas", "Manuel", "Pedro"),
        ("Segura Vicente", "Peña", "Báez", "Fernández", "de los Santos"),
        "es",
    ),
    "SL": _Names(
        ("Fatmata", "Aminata", "Isatu", "Mariama", "Hawa"),
        ("Mohamed", "Abu Bakarr", "Ibrahim", "Michel", "Alhaji"),
        ("Kamara", "Sesay", "Koroma", "Conteh", "Bangura", "Sho-Sawyer"),
    ),
    "MU": _Names(
        ("Priya", "Anjali", "Marie-Claire", "Nandini"),
        ("Devi Chand Rye", "Rajesh", "Jean-Marc", "Vikash"),
        ("Seewooruthun", "Ramgoolam", "Bhunjun", "Lagesse", "Ramdhony"),
        "fr",
    ),
    "NZ": _Names(
        ("Aroha", "Charlotte", "Mere", "Jacqueline", "Olivia"),
        ("Tāne", "James", "Wiremu", "Liam"),
        ("Ngata", "Owens", "Te Whiti", "Williams", "Parata"),
    ),
    "MD": _Names(
        ("Ana", "Mariana", "Elena", "Natalia"),
        ("Sergiu", "Ion", "Ghenadie", "Vlad"),
        ("Sainciuc", "Crețu", "Rusu", "Ceban", "Munteanu"),
        "fr",
    ),
    "CV": _Names(
        ("Maria da Luz", "Ana Paula", "Djamila", "Celeste"),
        ("Álvaro Apolo", "João", "Carlos", "Amílcar"),
        ("da Luz Pereira", "Monteiro", "Tavares", "Fortes", "Lopes"),
        "fr",
    ),
    "VN": _Names(
        ("Thị Lan", "Thu Hà", "Minh Anh", "Ngọc Ánh"),
        ("Văn Dinh", "Quốc Bảo", "Đức Anh", "Minh Tuấn"),
        ("Nguyễn", "Trần", "Phạm", "Lê", "Hoàng"),
    ),
    "FR": _Names(
        ("Élodie", "Camille", "Françoise", "Anaïs"),
        ("Jean-Christophe", "François", "Loïc", "Benoît"),
        ("Dumont", "Lefèvre", "Moreau", "Garnier", "Rousseau"),
        "fr",
    ),
    "DE": _Names(
        ("Jürgen", "Anke", "Sabine", "Käthe"),
        ("Matthias", "Jörg", "Lukas", "Günther"),
        ("Müller", "Schröder", "Weiß", "Großmann", "Becker"),
    ),
    "RU": _Names(
        ("Yekaterina", "Olga", "Natalya", "Svetlana"),
        ("Nikolai", "Dmitry", "Sergei", "Aleksandr"),
        ("Alisov", "Ivanova", "Smirnov", "Kuznetsova", "Volkov"),
    ),
    "CN": _Names(
        ("Xiaoling", "Mei", "Yan", "Jing"),
        ("Wei", "Jianguo", "Hao", "Zhiwei"),
        ("Wang", "Li", "Zhang", "Liu", "Chen"),
    ),
    "JP": _Names(
        ("Yūko", "Akiko", "Haruka", "Sakura"),
        ("Takeshi", "Kenji", "Hiroshi", "Shōta"),
        ("Satō", "Suzuki", "Takahashi", "Tanaka", "Itō"),
    ),
    "IN": _Names(
        ("Priyanka", "Lakshmi", "Aishwarya", "Sunita"),
        ("Rajiv", "Arjun", "Venkatesh", "Sanjay"),
        ("Sharma", "Iyer", "Chatterjee", "Reddy", "Subramanian"),
    ),
    "MA": _Names(
        ("Fatima Zahra", "Khadija", "Nadia", "Salma"),
        ("Abdesslam", "Youssef", "Mehdi", "Hassan"),
        ("El Ftouh", "Benali", "El Amrani", "Tazi", "Bennani"),
        "fr",
    ),
    "IQ": _Names(
        ("Zainab", "Noor", "Huda", "Maryam"),
        ("Mohammed Bassam", "Ali", "Haidar", "Omar"),
        ("Al-Nasiri", "Al-Jubouri", "Al-Hashimi", "Kadhim"),
    ),
    "PH": _Names(
        ("Maria Lourdes", "Rosario", "Corazon", "Grace"),
        ("Basco Tomas", "Jose Rizal", "Ramon", "Emmanuel"),
        ("Fernandez", "Dela Cruz", "Santos", "Reyes", "Bautista"),
    ),
    "SN": _Names(
        ("Aïssatou", "Ndèye Fatou", "Awa", "Mame Diarra"),
        ("Abdou Mbengue", "Cheikh", "Moussa", "Ousmane"),
        ("Sene", "Diop", "Ndiaye", "Fall", "Sow"),
        "fr",
    ),
    "KE": _Names(
        ("Wanjiru", "Akinyi", "Njeri", "Atieno"),
        ("Kamau", "Otieno", "Kiprono", "Mwangi"),
        ("Odhiambo", "Wafula", "Kariuki", "Chebet", "Mutua"),
    ),
    "BR": _Names(
        ("Luíza", "Conceição", "Fernanda", "Thaís"),
        ("João Gonçalves", "Sebastião", "Rômulo", "Caio"),
        ("Araújo", "Gonçalves", "Magalhães", "Conceição", "Simões"),
        "es",
    ),
    "PL": _Names(
        ("Małgorzata", "Agnieszka", "Zofia", "Katarzyna"),
        ("Łukasz", "Grzegorz", "Paweł", "Wojciech"),
        ("Wójcik", "Kowalczyk", "Szymański", "Dąbrowska", "Zieliński"),
    ),
    "TR": _Names(
        ("Ayşe", "Gülşen", "Elif", "Şule"),
        ("Mehmet", "Çağlar", "Oğuz", "İsmail"),
        ("Yılmaz", "Şahin", "Çelik", "Öztürk", "Doğan"),
    ),
    "IS": _Names(
        ("Þórunn", "Guðrún", "Sigríður", "Ásdís"),
        ("Jón", "Guðmundur", "Þórður", "Ólafur"),
        ("Guðmundsdóttir", "Sigurðsson", "Jónsdóttir", "Ólafsson"),
    ),
    "ES": _Names(
        ("María de los Ángeles", "Begoña", "Pilar", "Inmaculada"),
        ("Íñigo", "José María", "Jesús", "Álvaro"),
        ("Fernández-Castañeda y Rodríguez de la Fuente", "Muñoz", "Ibáñez", "Sáenz de Santamaría"),
        "es",
    ),
    "TH": _Names(
        ("Siriwan", "Kanokwan", "Chanya"),
        ("Somchai", "Thanawat", "Prasert"),
        ("Wongsuwan", "Srisawat", "Chaiyaporn", "Ratanakosin"),
    ),
    "GH": _Names(
        ("Abena", "Efua", "Akosua"),
        ("Eugene", "Kwame", "Kofi"),
        ("Owusu", "Mensah", "Boateng", "Asante"),
    ),
}

#: Functions and units of government delegates, and of everyone else.
STATE_FUNCTIONS = (
    "Ambassador, Permanent Representative",
    "Minister Counsellor",
    "First Secretary",
    "Counsellor",
    "Director of Consular Affairs",
    "Deputy Minister",
    "Senior Adviser",
    "Attaché",
)
STATE_UNITS = (
    "Permanent Mission to the United Nations Office at Geneva",
    "Ministry of Foreign Affairs",
    "Ministry of Labour and Social Security",
    "Ministry of the Interior",
    "Office of the President",
    "Office of Diaspora Affairs",
)
OTHER_FUNCTIONS = (
    "Programme Officer",
    "Director",
    "Head of the Migration Unit",
    "Senior Researcher",
    "Policy Adviser",
    "Project Coordinator",
)
OTHER_UNITS = ("Policy Department", "Research Division", "Geneva Office", "External Relations")
MEDIA_FUNCTIONS = ("Journalist", "Correspondent", "Photographer", "Editor")
#: Organisations for categories whose event has none listed (free-text organisation).
ORGANISATIONS = {
    "media": ("Le Temps", "Swissinfo", "Agencia EFE", "Radio Télévision Suisse", "The Guardian"),
    "iom": ("International Organization for Migration (IOM)",),
    "speaker": (
        "University of Oxford, Centre on Migration, Policy and Society",
        "Universidad Nacional Autónoma de México",
        "Université Cheikh Anta Diop de Dakar",
        "Migration Policy Institute",
    ),
}
GENERIC_ORGANISATIONS = (
    "Global Migration Research Network",
    "Fondation pour le développement durable",
    "Red Latinoamericana de Migración",
    "Diaspora Development Alliance",
)
#: States added to a State category that lists none (the demo's observer States).
DEFAULT_STATES = {"observer-state": ("VA", "PS"), "member-state": ("FR", "KE", "PH")}
#: Relative share of each category code; unknown codes weigh 3.
CATEGORY_WEIGHTS = {
    "member-state": 55,
    "observer-state": 4,
    "un-system": 6,
    "igo": 6,
    "ngo": 12,
    "private-sector": 4,
    "speaker": 3,
    "iom": 5,
    "media": 5,
}
#: The mix of statuses when none is asked for.
STATUS_MIX = (
    (Status.APPROVED, 70),
    (Status.PENDING, 18),
    (Status.WAITLISTED, 4),
    (Status.REJECTED, 3),
    (Status.WITHDRAWN, 5),
)
_CHUNK = 1000
_PORTRAITS = 24


def _ascii(text: str) -> str:
    """A name as plain lower-case ASCII letters, for email addresses."""
    bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(char for char in bare.lower() if char.isalnum()) or "delegate"


def _ensure_state_entities(event: Event) -> None:
    """Give every State category that has no entity a few States, so that all categories fill."""
    for category in event.categories:
        if category.is_state and not any(e.category_id == category.id for e in event.entities):
            for code in DEFAULT_STATES.get(category.code, ("FR",)):
                country = pycountry.countries.get(alpha_2=code)
                db.session.add(
                    Entity(event=event, category=category, name=country.name, iso_code=code)
                )
    db.session.flush()


def _portraits(rng: random.Random) -> list[bytes]:
    """A few synthetic head-and-shoulders portraits (JPEG, the stored photo size)."""
    images = []
    for _ in range(_PORTRAITS):
        background = tuple(rng.randint(150, 230) for _ in range(3))
        skin = rng.choice(((241, 194, 125), (224, 172, 105), (198, 134, 66), (141, 85, 36)))
        image = Image.new("RGB", (600, 800), background)
        draw = ImageDraw.Draw(image)
        draw.ellipse((60, 560, 540, 1100), fill=tuple(rng.randint(20, 120) for _ in range(3)))
        draw.ellipse((180, 180, 420, 480), fill=skin)
        draw.chord(
            (170, 150, 430, 420), 180, 360, fill=tuple(rng.randint(10, 90) for _ in range(3))
        )
        output = io.BytesIO()
        image.save(output, "JPEG", quality=80)
        images.append(output.getvalue())
    return images


class _Generator:
    """Draws one synthetic person at a time for an event."""

    def __init__(self, event: Event, rng: random.Random, status: Status | None):
        self.event = event
        self.rng = rng
        self.status = status
        self.categories = list(event.categories)
        self.weights = [CATEGORY_WEIGHTS.get(c.code, 3) for c in self.categories]
        self.entities: dict[int, list[Entity]] = {}
        for entity in event.entities:
            self.entities.setdefault(entity.category_id, []).append(entity)
        self.sessions = list(event.sessions)
        self.heads: set = set()
        self.references = set(
            db.session.execute(
                db.select(Registration.reference).where(Registration.event_id == event.id)
            ).scalars()
        )
        self.serial = db.session.execute(
            db.select(db.func.count(Registration.id)).where(Registration.event_id == event.id)
        ).scalar_one()

    def _reference(self) -> str:
        """A reference unused in this run and in the database."""
        while (reference := new_reference(self.event.reference_prefix)) in self.references:
            pass
        self.references.add(reference)
        return reference

    def _status(self) -> Status:
        if self.status is not None:
            return self.status
        statuses, weights = zip(*STATUS_MIX, strict=True)
        return self.rng.choices(statuses, weights)[0]

    def _organisation(self, category: Category) -> tuple[Entity | None, str]:
        entities = self.entities.get(category.id)
        if entities:
            return self.rng.choice(entities), ""
        names = ORGANISATIONS.get(category.code, GENERIC_ORGANISATIONS)
        return None, self.rng.choice(names)

    def person(self) -> tuple[dict, list[int]]:
        """The column values of one registration and the ids of its chosen sessions."""
        rng = self.rng
        self.serial += 1
        category = rng.choices(self.categories, self.weights)[0]
        entity, other = self._organisation(category)
        country = entity.iso_code if entity is not None and entity.iso_code else None
        country = country if country in NAMES else rng.choice(sorted(NAMES))
        names = NAMES[country]
        gender = rng.choices(("female", "male", "other", ""), (48, 46, 2, 4))[0]
        pool = names.female if gender == "female" else names.male
        pool = pool if gender in ("female", "male") else names.female + names.male
        given, family = rng.choice(pool), rng.choice(names.family)
        head_key = entity.id if entity is not None else other
        head = head_key not in self.heads and rng.random() < 0.9
        if head:
            self.heads.add(head_key)
        if category.code == "media":
            function, unit = rng.choice(MEDIA_FUNCTIONS), ""
        elif category.is_state:
            function, unit = rng.choice(STATE_FUNCTIONS), rng.choice(STATE_UNITS)
        else:
            function, unit = rng.choice(OTHER_FUNCTIONS), rng.choice(OTHER_UNITS)
        honorific = {"female": "ms", "male": "mr", "other": "mx", "": ""}[gender]
        if head and category.is_state and rng.random() < 0.4:
            honorific = "he"
        elif rng.random() < 0.1:
            honorific = rng.choice(("dr", "prof"))
        email = f"{_ascii(given)}.{_ascii(family)}.{self.serial}@{country.lower()}.example.org"
        created = utcnow() - timedelta(minutes=rng.randint(0, 60 * 24 * 40))
        values = {
            "event_id": self.event.id,
            "reference": self._reference(),
            **token_columns(MANAGE, new_token()),
            **token_columns(BADGE, new_token()),
            "status": self._status(),
            "honorific": honorific,
            "given_name": given,
            "family_name": family,
            "gender": gender,
            "function": function,
            "unit": unit,
            "category_id": category.id,
            "entity_id": entity.id if entity is not None else None,
            "other_organisation": other,
            "email": email,
            "person_key": person_key(email, given, family),
            "phone": f"+41 22 {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            "nationality": country,
            "language": names.language if rng.random() < 0.8 else rng.choice(("en", "fr", "es")),
            "head_of_delegation": head,
            "photo": None,
            "consent_to_list": head or rng.random() < 0.9,  # heads are listed
            "created_at": created,
            "updated_at": created,
        }
        sessions = [
            session.id
            for session in self.sessions
            if rng.random() < (0.9 if session.kind == "logistics" else 0.6)
        ]
        return values, sessions


def fake_registrations(
    event: Event,
    count: int,
    *,
    status: Status | str | None = None,
    photos: bool = False,
    seed: int | None = None,
) -> list[int]:
    """Insert ``count`` synthetic registrations for ``event`` and return their ids.

    ``status`` gives every one that status (a realistic mix otherwise); ``photos`` stores a
    synthetic portrait for each; ``seed`` makes the people reproducible (references and tokens
    stay random). State categories without entities get a few States first. Capacity and
    quotas are not applied: this is test data. Flushes; the caller commits.
    """
    rng = random.Random(seed)
    _ensure_state_entities(event)
    generator = _Generator(event, rng, Status(status) if status else None)
    portraits = _portraits(rng) if photos else []
    ids: list[int] = []
    for start in range(0, count, _CHUNK):
        people = [generator.person() for _ in range(min(_CHUNK, count - start))]
        rows = [values for values, _sessions in people]
        for row in rows if photos else ():
            row["photo"] = store_photo(rng.choice(portraits))
        chunk_ids = list(
            db.session.execute(
                sa.insert(Registration).returning(Registration.id, sort_by_parameter_order=True),
                rows,
            ).scalars()
        )
        links = [
            {"registration_id": registration_id, "session_id": session_id}
            for registration_id, (_values, sessions) in zip(chunk_ids, people, strict=True)
            for session_id in sessions
        ]
        if links:
            db.session.execute(registration_session.insert(), links)
        ids.extend(chunk_ids)
    db.session.flush()
    return ids
