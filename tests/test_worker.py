"""`flask worker --once`: delivers the due email and runs the due jobs, periodic ones included
(badge pre-rendering among them)."""

from registration.delegates.models import Status
from registration.documents.services import prerender_badges
from registration.mail.models import MailStatus, OutboxEmail


def test_one_round_sends_email_and_warms_the_badge_cache(
    app, db, runner, make_registration, tmp_path
):
    app.config["BADGE_CACHE_DIR"] = str(tmp_path / "badges")
    try:
        make_registration(Status.APPROVED)
        make_registration(Status.PENDING)
        result = runner.invoke(args=["worker", "--once"])
        assert result.exit_code == 0, result.output
        assert "2 message(s) sent" in result.output
        statuses = db.session.execute(db.select(OutboxEmail.status)).scalars().all()
        assert statuses == [MailStatus.SENT, MailStatus.SENT]
        assert (
            len(list((tmp_path / "badges").glob("a6/??/*.pdf"))) == 1
        )  # one page (and a static part)
        assert prerender_badges() == 0  # nothing left to render
    finally:
        app.config.pop("BADGE_CACHE_DIR")
