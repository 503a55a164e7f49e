"""Loading the demo meeting."""

from datetime import date, timedelta
from pathlib import Path

import yaml

from registration.events.models import Event
from registration.events.services import import_event

DEMO_FILE = Path(__file__).with_name("idm-2008-return-migration.yaml")
#: The demo meeting starts this many days after the day it is loaded.
DAYS_AHEAD = 21


def demo_shift_days(text: str, today: date) -> int:
    """Days to add to the file's dates so that the meeting starts DAYS_AHEAD days from today.

    With the demo file's window (opens 53 days and closes 3 days before the meeting),
    registration is then open today.
    """
    start = yaml.safe_load(text)["event"]["start"]
    return (today + timedelta(days=DAYS_AHEAD) - start).days


def load_demo(today: date, path: Path = DEMO_FILE) -> Event:
    """Import (or refresh) the demo meeting with its dates moved relative to ``today``."""
    text = path.read_text(encoding="utf-8")
    return import_event(text, shift_days=demo_shift_days(text, today))
