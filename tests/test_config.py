"""Settings: one declared table, validated at start, every setting in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wissen import create_app
from wissen.config import SETTINGS, ConfigError, load_settings

from .conftest import REPO


def test_every_setting_is_listed_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    # WISSEN_TEST_…: variables of the test run (tests/databases.py), not settings of wissen.
    listed = set(re.findall(r"`(WISSEN_[A-Z_]+)`", readme)) - {"WISSEN_TEST_DATABASE_URL"}
    assert {s.name for s in SETTINGS} <= listed
    assert listed <= {s.name for s in SETTINGS}, "README nennt Einstellungen, die es nicht gibt"


def test_data_dir_holds_database_uploads_and_index(tmp_path: Path) -> None:
    values = load_settings(environ={"WISSEN_DATA_DIR": str(tmp_path)})
    assert values["DATABASE_URL"] == f"sqlite:///{tmp_path / 'wissen.sqlite3'}"
    assert values["UPLOAD_DIR"] == str(tmp_path / "uploads")
    assert values["INDEX_DIR"] == str(tmp_path / "index")


def test_without_data_dir_the_repository_layout_is_used(tmp_path: Path) -> None:
    values = load_settings(environ={}, cwd=tmp_path)
    assert values["DATABASE_URL"] == f"sqlite:///{tmp_path / 'instance' / 'wissen.sqlite3'}"
    assert values["UPLOAD_DIR"] == str(tmp_path / "uploads")
    assert values["INDEX_DIR"] == str(tmp_path / "index")
    assert values["PUBLIC_READ"] is True
    assert values["MAX_CONTENT_LENGTH"] == 50 * 1024 * 1024


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("WISSEN_PUBLIC_READ", "vielleicht", "Wahrheitswert"),
        ("WISSEN_MAX_UPLOAD_MB", "viel", "ganze Zahl"),
        ("WISSEN_MAX_UPLOAD_MB", "0", "größer als 0"),
        ("WISSEN_DATABASE_URL", "wissen.db", "Datenbank-URL"),
        ("WISSEN_IMPRESSUM_URL", "javascript:alert(1)", "https://"),
    ],
)
def test_bad_values_stop_with_one_clear_line(name: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(environ={name: value})
    message = str(error.value)
    assert name in message and words in message
    assert "\n" not in message


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = create_app({"DATA_DIR": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"DATA_DIR": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0, "nur für den Eigentümer lesbar"
    other = create_app({"DATA_DIR": str(tmp_path / "anders")}).config["SECRET_KEY"]
    assert other != first


def test_secret_key_from_the_environment_wins(tmp_path: Path) -> None:
    app = create_app({"DATA_DIR": str(tmp_path), "SECRET_KEY": "aus-der-umgebung"})
    assert app.config["SECRET_KEY"] == "aus-der-umgebung"
    assert not (tmp_path / "secret_key").exists()
