"""Logs keep no reader's email address, no link token and no query string.

Request lines (Django's, runserver's, gunicorn's access log) would otherwise record a
manage link's token, a checkout session id in `?session_id=`, or an address typed into
a form that answered with a redirect. The filter rewrites each record's message, and
the text of any traceback, before a handler writes it.
"""

import logging
import re

EMAIL = re.compile(r"[\w.+%-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# A query string that carries at least one value: "?session_id=cs_…&x=1".
QUERY_STRING = re.compile(r"\?(?=[^\s\"'<>]*=)[^\s\"'<>]*")
# A path segment that looks like a secret: a signed value ("12.manage:1tAbC:sig…"), a long
# hex string, or a long random string mixing cases and digits. Slugs have hyphens and
# lower-case words, so they stay.
PATH_SEGMENT = re.compile(r"(?<=/)[\w.:%=-]{20,}(?=[/\s\"'?]|$)")
SIGNED = re.compile(r"(?::|%3a)[\w-]{20,}$", re.IGNORECASE)
HEX = re.compile(r"[0-9a-f]{32,}")  # a uuid4().hex or secrets.token_hex()


def _secret_looking(segment: str) -> bool:
    if SIGNED.search(segment) or HEX.fullmatch(segment):
        return True
    return (
        any(c.isupper() for c in segment)
        and any(c.islower() for c in segment)
        and any(c.isdigit() for c in segment)
    )


def redact(text: str) -> str:
    text = QUERY_STRING.sub("?[query]", text)
    text = EMAIL.sub("[email]", text)
    return PATH_SEGMENT.sub(
        lambda match: "[token]" if _secret_looking(match.group()) else match.group(), text
    )


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed call is the handler's to report
            return True
        record.msg = redact(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
