"""Domain errors: rules broken by a request, each with a stable machine-readable code."""


class DomainError(Exception):
    """A rule of the domain refused an operation.

    ``code`` is stable (tests, JSON ``reason``); ``message`` is already translated for people.
    ``field`` names the form field to attach the message to, when there is one.
    """

    code: str = "domain_error"
    #: The HTTP status of the answer when no view handles the error (see pages.py).
    status: int = 409

    def __init__(self, message: str, code: str | None = None, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


def attach_error(form, error: DomainError) -> None:
    """Show a service's refusal on a form: next to the field it concerns, or above the form."""
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, error.message]
    else:
        form.form_errors.append(error.message)
