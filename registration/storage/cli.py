"""`flask storage …`: copy a folder into a bucket, and check that the store works."""

import secrets

import click
from flask import current_app

from registration.storage import AREAS, StorageUnavailable, get_storage, open_storage


@click.group("storage")
def storage_group() -> None:
    """The file store (photos, letters, badge pages, job results)."""


@storage_group.command("migrate")
@click.option("--to", "target_url", required=True, help="s3://bucket/prefix or file:///folder")
@click.option("--from", "source_url", help="Where the files are now (default: STORAGE_URL).")
def migrate_command(target_url: str, source_url: str | None) -> None:
    """Copy every stored file into another store, e.g. a folder into an S3 bucket.

    Files already there with the same size are skipped, so an interrupted copy can be run
    again. Nothing is deleted; set STORAGE_URL to the new store once the copy is done.
    """
    source = open_storage(source_url, current_app.config) if source_url else get_storage()
    target = open_storage(target_url, current_app.config)
    copied = skipped = 0
    try:
        for area in AREAS:
            for key in source.list(f"{area}/"):
                if target.exists(key) and target.size(key) == source.size(key):
                    skipped += 1
                    continue
                with source.open(key) as stream:
                    target.save(key, stream)
                copied += 1
    except StorageUnavailable as error:
        raise click.ClickException(
            f"{error.message} ({error.detail}) {copied} file(s) copied so far; run it again."
        ) from error
    click.echo(f"{copied} file(s) copied to {target.url}, {skipped} already there.")


@storage_group.command("check")
def check_command() -> None:
    """Write, read and delete a small file in the configured store."""
    storage = get_storage()
    key, data = f"checks/{secrets.token_hex(8)}", secrets.token_bytes(32)
    try:
        storage.save(key, data)
        same = storage.read(key) == data
        storage.delete(key)
    except StorageUnavailable as error:
        raise click.ClickException(f"{storage.url}: {error.detail}") from error
    if not same:
        raise click.ClickException(f"{storage.url}: a file read back differs from what was written")
    click.echo(f"{storage.url} works.")
