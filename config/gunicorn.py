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
# Threads per worker (gunicorn's gthread worker): a request waiting for the database, such
# as a webhook whose commit waits for the disk, leaves the other threads running, and
# commits in flight together share one flush of the write-ahead log. Each thread keeps its
# own database connection: WEB_CONCURRENCY x WEB_THREADS of them per machine.
threads = int(os.environ.get("WEB_THREADS", "8"))
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
logger_class = RedactingLogger
