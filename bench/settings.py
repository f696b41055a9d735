"""Production settings plus one trivial view, for bench/pages.py only (never deployed)."""

from config.settings.production import *  # noqa: F403
from config.settings.production import env

# bench/urls.py: the site's own URLs and /_bench/trivial/, the baseline every page is
# compared with (the same server, the same middleware, no template and no query).
ROOT_URLCONF = "bench.urls"
STATIC_ROOT = env.path("BENCH_STATIC_ROOT")
