"""Cache keys shared by the selectors that fill them and the signals that drop them."""

# Bump the suffix when the cached shape changes, so old entries are ignored.
NAV_SECTIONS = "newsroom:nav-sections:v1"
LIVE_APPEAL = "newsroom:live-appeal:v1"
CACHE_SECONDS = 60 * 60
