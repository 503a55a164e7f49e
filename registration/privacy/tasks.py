"""The worker carries out the retention policy: a daily purge of meetings past their retention
period and an hourly clean-up of uploads that no row uses."""

import logging
from datetime import timedelta

from registration.extensions import db
from registration.jobs.registry import periodic
from registration.privacy import services

log = logging.getLogger(__name__)


@periodic("privacy-purge", every=timedelta(days=1))
def purge(job=None) -> None:
    """Erase the personal data of every meeting whose retention period has ended."""
    report = services.purge_expired_events()
    db.session.commit()
    log.info("retention purge: %s", report)


@periodic("privacy-orphan-uploads", every=timedelta(hours=1))
def clean_uploads(job=None) -> None:
    """Delete photos and letters that no registration or letter row names any more."""
    report = services.remove_orphaned_uploads()
    db.session.commit()
    log.info("orphaned uploads: %s", report)
