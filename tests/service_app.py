"""The scrubbing service in tests: API keys, a test client on the app, a claim to send, copies of the rule pack."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")


import claimcheck
from claimcheck.io.readers import READERS
from claimcheck.models.report import Report
from claimcheck.service import Settings, create_app
from tests.conftest import AS_OF, SHARED

with warnings.catch_warnings():
    # Starlette now prefers httpx2 for its test client; httpx still works and is what we ship with.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

__all__ = [
    "AUTH",
    "CLAIM",
    "KEY",
    "OTHER_KEY",
    "SECRET_CLAIM_ID",
    "SECRET_NPI",
    "VALIDATE",
    "X12_SAMPLE",
    "_checked_on_the_loop",
    "client_fixture",
    "make_settings",
    "x12_body_fixture",
]


KEY = "test-key-Jq7w"
OTHER_KEY = "second-key-üñí"  # non-ASCII: hmac.compare_digest refuses such str, so keys are compared as bytes
AUTH = {"Authorization": f"Bearer {KEY}"}
X12_SAMPLE = SHARED / "samples" / "x12-837p" / "ims__x12_complex.txt"


# Values that must never reach a log: they stand for patient data.
SECRET_CLAIM_ID = "PHI-CLAIM-7731"
SECRET_NPI = "1234567893"
CLAIM: dict[str, Any] = {
    "claim_id": SECRET_CLAIM_ID,
    "patient_sex": "F",
    "patient_birth_date": "1958-01-01",
    "payer": "Acme",
    "lines": [
        {
            "line_number": 1,
            "procedure_code": "0711T",
            "modifiers": ["26"],
            "diagnosis_codes": ["I70.213"],
            "rendering_taxonomy": "2085R0202X",
            "rendering_npi": SECRET_NPI,
            "units": 1,
            "date_of_service": "2026-03-10",
            "place_of_service": "22",
        },
        {"line_number": 2, "procedure_code": "0711T", "modifiers": ["GN"], "date_of_service": "2026-03-10"},
    ],
}
VALIDATE = f"/v1/claims:validate?as_of={AS_OF.isoformat()}"


def make_settings(**options: Any) -> Settings:
    return Settings(api_keys=options.pop("api_keys", (KEY, OTHER_KEY)), **options)


@pytest.fixture(name="client")
def client_fixture() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client


def _checked_on_the_loop(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records, for each report checked and each encoded, whether it ran on the event loop."""
    on_loop: list[bool] = []

    def running_loop() -> bool:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return True

    def validate_spy(*args: Any, **kwargs: Any) -> Any:
        on_loop.append(running_loop())
        return claimcheck.validate_many(*args, **kwargs)

    summary = Report.summary  # encoding the report asks for it once

    def summary_spy(report: Report) -> dict[str, Any]:
        on_loop.append(running_loop())
        return summary(report)

    monkeypatch.setattr("claimcheck.service.routes.validate_many", validate_spy)
    monkeypatch.setattr(Report, "summary", summary_spy)
    return on_loop


@pytest.fixture(name="x12_body")
def x12_body_fixture() -> bytes:
    if "x12" not in READERS:
        pytest.skip("claimcheck.io.readers has no 'x12' reader yet (READERS lacks it)")
    if not X12_SAMPLE.is_file():
        pytest.skip(f"{X12_SAMPLE} is absent")
    return X12_SAMPLE.read_bytes()
