"""Demonstration data: the IDM 2008 workshop, moved so that registration is open today."""

from flask import Flask

from registration.demo.cli import demo_cli


def init_app(app: Flask) -> None:
    """Register `flask demo`."""
    app.cli.add_command(demo_cli)
