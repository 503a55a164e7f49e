"""`flask worker --once`: delivers the due email and runs the due jobs, periodic ones included
(badge pre-rendering among them)."""

from registration.delegates.models import Status
from registration.documents.services import prerender_badges
from registration.mail.models import MailStatus, OutboxEmail


def test_one_round_sends_email_and_warms_the_badge_cache(
    db, runner, make_registration, badge_cache
):
    make_registration(Status.APPROVED)
    make_registration(Status.PENDING)
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "2 message(s) sent" in result.output
    statuses = db.session.execute(db.select(OutboxEmail.status)).scalars().all()
    assert statuses == [MailStatus.SENT, MailStatus.SENT]
    assert len(badge_cache()) == 1
    assert prerender_badges() == 0  # nothing left to render
