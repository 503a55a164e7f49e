"""The certificate of attendance's logo and signature block, set up by admins."""

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

from registration.auth.decorators import role_required
from registration.auth.models import Role
from registration.delegates import photos
from registration.events.lookup import load_event
from registration.setup import services
from registration.setup.forms import CertificateForm
from registration.setup.views import _page, _save, bp


@bp.route("/certificate", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def certificate(slug: str):
    """Upload the certificate's logo and write its signature block (admins)."""
    item = load_event(slug)
    form = CertificateForm()
    if request.method == "GET":
        form.process(obj=item)
    logo = None
    upload = form.logo.data
    if form.is_submitted() and upload and getattr(upload, "filename", ""):
        try:
            # Re-encoded before it is stored: the file kept is ours, never the upload.
            logo = photos.store_photo(photos.process_logo(upload.read()))
        except photos.PhotoError as error:
            form.logo.errors = [error.message]
            return _page("setup/certificate.html", item, form=form)

    def call():
        services.update_certificate(
            item,
            logo=logo,
            remove_logo=form.remove_logo.data,
            signatory=form.certificate_signatory.data or "",
            signatory_title=form.certificate_signatory_title.data or "",
            by=current_user,
        )

    done = _save(form, call, _("The certificate is saved."), ".certificate", slug=slug)
    return done or _page("setup/certificate.html", item, form=form)


@bp.get("/certificate/logo")
@role_required(Role.ADMIN)
def certificate_logo(slug: str):
    """The stored certificate logo, for the setup page's preview (admins)."""
    item = load_event(slug)
    if not item.certificate_logo:
        abort(404)
    return photos.send_photo(item.certificate_logo)
