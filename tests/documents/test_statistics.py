"""Statistics by category, entity, gender, status and language."""

import csv
import io

from registration.documents import statistics


def test_counts_by_dimension(event, make_registration):
    make_registration("approved", gender="female", language="fr")
    make_registration("pending", gender="male")
    make_registration("withdrawn", gender="female")
    ngo = next(c for c in event.categories if c.code == "ngo")
    make_registration("approved", category_id=ngo.id, entity_id=None, other_organisation="Own NGO")

    charts = {chart.key: chart for chart in statistics.statistics(event)}

    def counts(key):
        return {bar.label: bar.count for bar in charts[key].bars}

    assert counts("category") == {
        "Member States": 2,
        "Non-governmental organizations and civil society": 1,
    }
    assert counts("entity") == {"Netherlands (Kingdom of the)": 2, "Other organisations": 1}
    assert counts("gender") == {"Female": 1, "Male": 1, "Not stated": 1}
    assert counts("status") == {"Pending approval": 1, "Approved": 2, "Withdrawn": 1}
    assert counts("language") == {"English": 2, "Français": 1}
    assert charts["category"].bars[0].colour == "#0033A0"
    approved = {c.key: c for c in statistics.statistics(event, "approved")}
    assert approved["category"].total == 2


def test_csv(event, make_registration):
    make_registration("approved")
    rows = list(
        csv.reader(
            io.StringIO(statistics.statistics_csv(statistics.statistics(event)).decode("utf-8-sig"))
        )
    )
    assert rows[0] == ["Dimension", "Value", "Count"]
    assert ["By category", "Member States", "1"] in rows
