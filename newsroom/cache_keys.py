"""Cache keys shared by the selectors that fill them and the signals that drop them."""

from django.conf import settings

# Bump the suffix when the cached shape changes, so old entries are ignored.
NAV_SECTIONS = "newsroom:nav-sections:v1"
LIVE_APPEAL = "newsroom:live-appeal:v2"
RUNNING_TEST = "newsroom:appeal-test:v1"
CACHE_SECONDS = 60 * 60


def live_appeal(language: str) -> str:
    return f"{LIVE_APPEAL}:{language}"


def live_appeal_keys() -> list[str]:
    return [live_appeal(code) for code, _name in settings.LANGUAGES]


def appeal(appeal_id: int) -> str:
    """One appeal's plain data (an appeal test shows several at once)."""
    return f"newsroom:appeal:v1:{appeal_id}"
