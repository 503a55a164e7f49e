"""Where job results are kept: the only code that turns a result name into a file."""

from pathlib import Path

from flask import current_app


def results_dir() -> Path:
    """The folder of job results (JOB_RESULT_DIR, else instance/job-results)."""
    configured = current_app.config.get("JOB_RESULT_DIR")
    path = Path(configured or Path(current_app.instance_path) / "job-results")
    path.mkdir(parents=True, exist_ok=True)
    return path


def result_path(name: str) -> Path:
    """The file of a result (``name`` is a job token and a suffix, never user input)."""
    return results_dir() / Path(name).name


def delete_result(name: str) -> None:
    """Delete a result file if it is there."""
    result_path(name).unlink(missing_ok=True)


def result_names() -> list[tuple[str, float]]:
    """Every stored result: its name and when it was last written (epoch seconds)."""
    return [(path.name, path.stat().st_mtime) for path in results_dir().iterdir() if path.is_file()]
