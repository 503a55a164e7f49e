"""Back-office preferences kept per staff account."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registration.extensions import db


class StaffPreference(db.Model):
    """What one staff member chose to see in the back office."""

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True
    )
    #: Optional columns of the registrations list, in display order (manage.columns).
    list_columns: Mapped[list] = mapped_column(sa.JSON, default=list)
