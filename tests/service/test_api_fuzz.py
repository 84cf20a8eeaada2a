"""Schemathesis over every operation of the OpenAPI document, in-process: no input may cause a server error.

Runs on a scratch copy of the seeded database (writes by the editor land there), once with no
token and once with an editor's token, for valid and invalid inputs (Schemathesis' positive and
negative generation). Seeded and bounded: :data:`EXAMPLES` cases per operation, mode and role,
no example database, so a run is the same every time and takes about a minute. Rate limits are
raised for the run, since the fuzzer asks from one address.

The operations are driven through Hypothesis directly (``operation.as_strategy()``) rather than
``schema.parametrize()``: Schemathesis' lazy pytest loader reads ``Function._nodeid``, which
pytest 9 no longer has. Every server error of the run is collected, then reported at once.
"""

from __future__ import annotations

import pytest
import schemathesis
from hostile_directory import USERS
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from accounts import users
from app import create_app
from core import settings as rujuk_settings

pytestmark = pytest.mark.slow

EXAMPLES = 10
"""Cases generated per operation, generation mode and role (23 operations)."""
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def fuzz_app(pages_engine):
    with pytest.MonkeyPatch.context() as patch:
        for name in ("referral_rate_limit", "map_layer_rate_limit", "areas_rate_limit"):
            patch.setattr(rujuk_settings, name, "100000 per minute")
        app = create_app(pages_engine, prepare_data=False)
        app.testing = True
        yield app


def _server_errors(app, headers: dict[str, str]) -> list[str]:
    """Return every server error Schemathesis finds on `app` when asking with `headers`, one line per failure."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @BOUNDED
            @given(case=operation.as_strategy(generation_mode=mode))
            def ask(case) -> None:
                case.call_and_validate(headers=headers, checks=[not_a_server_error])

            try:
                ask()
            except Unsatisfiable:  # no invalid input exists (no parameters) or can be sent (any path text is valid)
                continue
            except Exception as error:
                failures.append(f"{operation.label} ({mode.value}): {error}")
    return failures


@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_no_input_causes_a_server_error(fuzz_app, pages_engine, role):
    headers = {}
    if role != "anonymous":
        name = next(name for name, given_role in USERS.items() if given_role == role)
        headers = {"Authorization": f"Bearer {users.create_token(pages_engine, name, 'fuzz test')}"}
    failures = _server_errors(fuzz_app, headers)
    assert not failures, "\n\n".join(failures)
