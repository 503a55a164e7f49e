"""`flask staff …` commands."""

import secrets

import click
from flask.cli import AppGroup

from registration.auth import services
from registration.auth.models import Role, StaffUser
from registration.errors import DomainError
from registration.extensions import db

staff_cli = AppGroup("staff", help="Staff accounts.")


@staff_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--name", default="")
@click.option("--generate-password", is_flag=True, help="Generate a password and print it once.")
def create(email: str, role: str, name: str, generate_password: bool) -> None:
    """Create a staff account; prompts for a password unless one is generated.

    Either way its owner replaces the password at first sign-in.
    """
    if generate_password:
        password = secrets.token_urlsafe(12)
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        services.create_staff(email, Role(role), password, name=name, must_change_password=True)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Created {role} account {email}.")
    if generate_password:
        click.echo(f"Password (shown once; replaced at first sign-in): {password}")


@staff_cli.command("ensure-admin")
@click.option("--email", default="admin@example.org", show_default=True)
def ensure_admin(email: str) -> None:
    """Create an admin account if there is none, printing its password once (to be replaced
    at first sign-in, with two-factor enrolment)."""
    if db.session.execute(db.select(StaffUser.id).where(StaffUser.role == Role.ADMIN)).first():
        click.echo("An admin account exists already.")
        return
    password = secrets.token_urlsafe(12)
    services.create_staff(
        email, Role.ADMIN, password, name="Administrator", must_change_password=True
    )
    db.session.commit()
    click.echo(
        f"Admin account created: {email}  password (shown once): {password}\n"
        "At first sign-in you choose your own password and set up an authenticator app."
    )
