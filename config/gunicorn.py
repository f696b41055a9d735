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
# Threads per worker: four by default, and no keep-alive. Measured on 2 cores
# (bench/README.md, P28-P33): a webhook spends a third of its time waiting for
# PostgreSQL and Redis, and threads let other requests use that time (sync workers
# reached 0.45 of the trivial view, four threads 0.5-0.57). Keep-alive is off because a
# kept connection stays with the process that accepted it: with it, a few busy
# connections (a proxy's, a load tester's) piled onto one process while the other idled,
# and cached pages ran at half speed in one run out of two (P23-P27). The proxy in
# front keeps its own keep-alive with readers. Each thread keeps its own database
# connection (WEB_CONCURRENCY x WEB_THREADS of them per machine).
threads = int(os.environ.get("WEB_THREADS", "4"))
keepalive = 0
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
logger_class = RedactingLogger
