"""The property tests' hypothesis profiles (tests/**/test_properties_*.py).

A bounded, reproducible run by default; HYPOTHESIS_PROFILE=thorough explores far more
inputs, with a fresh seed each run. The fixtures are set up once per test and shared by
its examples, on purpose: each example compares counts before and after itself.
"""

import os
from typing import Any

import hypothesis

_SHARED: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [
        hypothesis.HealthCheck.function_scoped_fixture,
        hypothesis.HealthCheck.too_slow,
    ],
}


def hypothesis_profiles_load() -> None:
    """Register both profiles and load the one HYPOTHESIS_PROFILE names ("ci" by default)."""
    hypothesis.settings.register_profile("ci", max_examples=40, derandomize=True, **_SHARED)
    hypothesis.settings.register_profile("thorough", max_examples=1000, **_SHARED)
    hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
