"""No secret is ever required on a command line (where `ps` shows it to every local user):
tokens come from a file or the environment; and the hub refuses a short admin token."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError
from typer.testing import CliRunner

from hub.settings import HubSettings
from vectis.cli import app


@pytest.mark.parametrize(
    ("command", "secret_option", "file_option"),
    [
        (["edge", "serve"], "--enrolment-token ", "--enrolment-token-file"),
        (["hub", "serve"], "--admin-token ", "--admin-token-file"),
    ],
)
def test_secrets_are_taken_from_files_not_arguments(
    command: list[str], secret_option: str, file_option: str
) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert file_option in result.output
    assert secret_option not in result.output
    refused = CliRunner().invoke(app, [*command, secret_option.strip(), "vxe_" + "a" * 43])
    assert refused.exit_code != 0


def test_a_short_admin_token_is_refused() -> None:
    with pytest.raises(ValidationError):
        HubSettings(admin_token=SecretStr("admin"))
