"""gunicorn settings for the Procfile's web process (`gunicorn -c python:config.gunicorn`).

The access log names the method, the path without its query string, the status, the
size and the time taken: no referrer, no user agent, no query string; and every line,
access or error, passes through the same redaction as Django's logs.
"""

import os

from gunicorn.glogging import Logger

from config.logfilters import RedactFilter


class RedactingLogger(Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, RedactFilter) for f in log.filters):
                log.addFilter(RedactFilter())


# Inside the container or host; the proxy in front is what faces the internet.
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"  # noqa: S104
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Threads per worker. One (gunicorn's sync worker) by default: measured on 2 cores
# (bench/README.md, P23-P27), eight threads gained webhooks little (0.32-0.37 of the
# trivial view against 0.26-0.33) and made cached reader pages, what a news spike hits,
# slower and unsteady (supporter 0.29 against 0.56). More threads let a webhook's wait for
# its commit overlap others'; each thread keeps its own database connection
# (WEB_CONCURRENCY x WEB_THREADS of them per machine).
threads = int(os.environ.get("WEB_THREADS", "1"))
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
logger_class = RedactingLogger
