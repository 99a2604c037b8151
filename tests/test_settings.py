from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from forcebridge.settings import (
    DEFAULT_PULL_BULK_THRESHOLD,
    Settings,
    SettingsError,
    resolve_secret_key,
    shown_url,
)


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(f"FORCEBRIDGE_{name.upper()}", raising=False)


def test_the_embedded_default_is_a_sqlite_file_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'forcebridge.sqlite3'}"
    assert Settings().data_dir == Path(".forcebridge")
    assert Settings().product_name == "forcebridge"


def test_a_variable_set_empty_is_unset_not_the_current_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`FORCEBRIDGE_DATA_DIR=` would otherwise put the database and the key in the current
    folder, open to others, instead of a folder of mode 0700."""
    monkeypatch.setenv("FORCEBRIDGE_DATA_DIR", "")

    assert Settings().data_dir == Path(".forcebridge")


@pytest.mark.parametrize(
    ("given", "keys"),
    [
        ("old-key-one", ["old-key-one"]),
        ("old-key-one, old-key-two", ["old-key-one", "old-key-two"]),
        ('["old-key-one"]', ["old-key-one"]),
    ],
)
def test_a_retired_key_is_taken_alone_in_a_list_or_as_json(
    monkeypatch: pytest.MonkeyPatch, given: str, keys: list[str]
) -> None:
    """The error naming a missing key says to list it there: as it is, most likely."""
    monkeypatch.setenv("FORCEBRIDGE_RETIRED_SECRET_KEYS", given)

    assert [key.get_secret_value() for key in Settings().retired_secret_keys] == keys


def test_settings_come_from_forcebridge_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORCEBRIDGE_DATABASE_URL", "postgresql+psycopg://app:pw@db/forcebridge")
    monkeypatch.setenv("FORCEBRIDGE_PRODUCT_NAME", "Chatterly")
    monkeypatch.setenv("FORCEBRIDGE_LOG_LEVEL", "debug")
    monkeypatch.setenv("FORCEBRIDGE_RETIRED_SECRET_KEYS", '["old-key-one", "old-key-two"]')

    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://app:pw@db/forcebridge"
    assert settings.product_name == "Chatterly"
    assert settings.log_level == "DEBUG"
    assert [key.get_secret_value() for key in settings.retired_secret_keys] == [
        "old-key-one",
        "old-key-two",
    ]


def test_the_pull_bulk_threshold_is_a_setting_of_a_whole_number_of_records(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().pull_bulk_threshold == DEFAULT_PULL_BULK_THRESHOLD == 50_000
    monkeypatch.setenv("FORCEBRIDGE_PULL_BULK_THRESHOLD", "10000")
    assert Settings().pull_bulk_threshold == 10_000
    monkeypatch.setenv("FORCEBRIDGE_PULL_BULK_THRESHOLD", "0")
    with pytest.raises(ValidationError, match="pull_bulk_threshold"):
        Settings()


def test_printing_settings_shows_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCEBRIDGE_SECRET_KEY", "the-real-secret-key-value-0123456789")
    monkeypatch.setenv("FORCEBRIDGE_DATABASE_URL", "postgresql+psycopg://app:db-password@db/fb")

    shown = f"{Settings()!r} {Settings()}"
    assert "the-real-secret-key-value" not in shown
    assert "db-password" not in shown


def test_a_secret_key_is_generated_once_owner_only_and_reused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")

    first = resolve_secret_key(settings)
    key_file = tmp_path / "data" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.get_secret_value()) >= 32

    assert resolve_secret_key(Settings(data_dir=tmp_path / "data")) == first
    assert [p.name for p in key_file.parent.iterdir()] == ["secret.key"]


def test_a_configured_secret_key_wins_and_writes_no_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="from-the-environment-0123456789abcdef")

    assert (
        resolve_secret_key(settings).get_secret_value() == "from-the-environment-0123456789abcdef"
    )
    assert not (tmp_path / "secret.key").exists()


def test_a_key_file_others_can_read_is_refused_with_the_fix(tmp_path: Path) -> None:
    resolve_secret_key(Settings(data_dir=tmp_path))
    os.chmod(tmp_path / "secret.key", 0o644)

    with pytest.raises(SettingsError, match=r"readable by others .* chmod 600"):
        resolve_secret_key(Settings(data_dir=tmp_path))


def test_an_emptied_key_file_is_refused(tmp_path: Path) -> None:
    resolve_secret_key(Settings(data_dir=tmp_path))
    (tmp_path / "secret.key").write_text("\n")

    with pytest.raises(SettingsError, match="is empty"):
        resolve_secret_key(Settings(data_dir=tmp_path))


def test_a_data_folder_that_cannot_be_made_is_named_with_what_to_do(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")

    with pytest.raises(SettingsError, match=r"cannot make the secret key file .*FORCEBRIDGE_DATA"):
        resolve_secret_key(Settings(data_dir=blocked / "data"))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FORCEBRIDGE_RETIRED_SECRET_KEYS", '["the-old-secret-key-value-0123456789"'),
        ("FORCEBRIDGE_DATABASE_URL", "postgresql+psycopg://app:db-password@db:port/fb"),
    ],
)
def test_a_refused_secret_setting_is_not_in_the_error_a_traceback_would_show(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError) as caught:
        Settings()

    assert name.removeprefix("FORCEBRIDGE_").lower() in str(caught.value)
    assert "the-old-secret-key-value" not in str(caught.value)
    assert "db-password" not in str(caught.value)


@pytest.mark.parametrize(
    ("given", "masked"),
    [
        ("postgresql+psycopg://app:pw@db/fb", "postgresql+psycopg://app:***@db/fb"),
        ("postgresql+psycopg://app:p@ss:w/rd@db:x/fb", "postgresql+psycopg://app:***@db:x/fb"),
        ("app:pw@db/fb", "app:***@db/fb"),
        ("sqlite:///data/fb.sqlite3", "sqlite:///data/fb.sqlite3"),
        ("postgresql+psycopg://app@db/fb", "postgresql+psycopg://app@db/fb"),
        (
            "postgresql+psycopg://app@db/fb?sslmode=require&password=secret&x=1",
            "postgresql+psycopg://app@db/fb?sslmode=require&password=***&x=1",
        ),
    ],
)
def test_a_database_url_is_shown_with_its_password_masked_even_unparsed(
    given: str, masked: str
) -> None:
    assert shown_url(given) == masked


@pytest.mark.parametrize("typed", ["WARN", "warn", "Warning"])
def test_warn_is_read_as_warning_as_python_s_logging_reads_it(
    monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    monkeypatch.setenv("FORCEBRIDGE_LOG_LEVEL", typed)

    assert Settings().log_level == "WARNING"
