"""HTTP front: authentication, parsing, idempotency, and dispatch to API, control and pages."""

import base64
import hashlib
import json
import re
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from .app import RequestContext, Sandbox
from .catalog import validate_card
from .checkout import session_complete, session_expire, session_private, success_redirect
from .control import control_route
from .errors import AuthenticationFailed, CardDeclined, IdempotencyMismatch, StripeError
from .forms import parse_form
from .ids import new_id
from .pages import checkout_page, invoice_page, not_found_page, portal_page
from .periods import invoice_pay_confirmed
from .portal import current_card, portal_card_replace
from .reporting import file_contents
from .shapes import api_version
from .strict import check_request

FILE_CONTENTS = re.compile(r"/v1/files/([A-Za-z0-9_]+)/contents")
CHECKOUT_PAGE = re.compile(r"/checkout/([A-Za-z0-9_]+)(/cancel)?")
PORTAL_PAGE = re.compile(r"/billing_portal/([A-Za-z0-9_]+)")
INVOICE_PAGE = re.compile(r"/invoices/(in_[A-Za-z0-9]+)")
MAX_BODY_BYTES = 1_000_000


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 refused connections when a few busy workers asked
    # at once (Stripe does not refuse a burst); the SDK opens a connection per request.
    request_queue_size = 128
    sandbox: Sandbox


class Response:
    def __init__(self, status: int, body: bytes, content_type: str, headers: dict[str, str]):
        self.status, self.body, self.content_type, self.headers = (
            status,
            body,
            content_type,
            headers,
        )


def json_response(status: int, body: Any, **headers: str) -> Response:
    return Response(status, json.dumps(body).encode(), "application/json", headers)


def html_response(status: int, html: str) -> Response:
    return Response(status, html.encode(), "text/html; charset=utf-8", {})


def redirect(location: str) -> Response:
    return Response(HTTPStatus.SEE_OTHER, b"", "text/plain", {"Location": location})


def api_key_from(header: str) -> str:
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer":
        key = credentials.strip()
    elif scheme.lower() == "basic":
        try:
            key = base64.b64decode(credentials).decode().partition(":")[0]
        except (ValueError, UnicodeDecodeError):
            key = ""
    else:
        key = ""
    if not key:
        raise AuthenticationFailed(
            "You did not provide an API key. Use a secret key starting with sk_test_ "
            "(the sandbox accepts any such key) in the Authorization header."
        )
    if not key.startswith("sk_test_"):
        shown = key[:8] + "*" * max(0, len(key) - 12) + key[-4:]
        raise AuthenticationFailed(
            f"Invalid API Key provided: {shown}. The sandbox accepts only keys that start "
            "with sk_test_."
        )
    return key


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server: SandboxServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        return

    def do_GET(self) -> None:
        self.handle_any("GET")

    def do_POST(self) -> None:
        self.handle_any("POST")

    def do_DELETE(self) -> None:
        self.handle_any("DELETE")

    @property
    def sb(self) -> Sandbox:
        return self.server.sandbox

    def handle_any(self, method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(min(length, MAX_BODY_BYTES)).decode("utf-8", "replace")
        try:
            if method == "GET" and (contents := FILE_CONTENTS.fullmatch(url.path)):
                response = self.file(contents.group(1))
            elif url.path.startswith("/v1/") and self.sb.outage_seconds_left():
                response = outage_response(self.sb.outage_status)
            elif url.path.startswith("/v1/"):
                response = self.api(method, url.path, url.query, raw_body)
            elif url.path.startswith("/_sandbox/"):
                response = self.control(method, url.path, url.query, raw_body)
            else:
                response = self.page(method, url.path, raw_body)
        except StripeError as error:
            response = json_response(error.status, error.body())
        except Exception:  # an answer beats a dropped connection; the trace goes to stderr
            traceback.print_exc()
            response = json_response(
                500, {"error": {"type": "api_error", "message": "The sandbox hit a bug."}}
            )
        self.send(response)
        self.sb.dispatcher.notify()

    def send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    # /v1 ---------------------------------------------------------------------

    def api(self, method: str, path: str, query: str, raw_body: str) -> Response:
        api_key = api_key_from(self.headers.get("Authorization", ""))
        params = parse_form(query) | (parse_form(raw_body) if method == "POST" else {})
        handler, args = self.sb.registry.route(method, path)
        # Refused before the idempotency layer: Stripe stores no result for a request
        # whose parameters fail validation.
        check_request(method, path, params, stripe_version=self.headers.get("Stripe-Version"))
        request_id = new_id("req_", 14)
        headers = {"Request-Id": request_id, "Stripe-Version": api_version()}
        idempotency_key = self.headers.get("Idempotency-Key") if method == "POST" else None
        fingerprint = hashlib.sha256(f"{method} {path}\n{raw_body}".encode()).hexdigest()
        store = self.sb.store
        with store.lock:
            if idempotency_key:
                stored = store.idempotent_result(api_key, idempotency_key, now=self.sb.now())
                if stored:
                    if stored[0] != fingerprint:
                        raise IdempotencyMismatch(idempotency_key)
                    headers |= {"Idempotent-Replayed": "true", "Idempotency-Key": idempotency_key}
                    return Response(stored[1], stored[2].encode(), "application/json", headers)
            self.sb.request = RequestContext(request_id, idempotency_key)
            try:
                with store.transaction():
                    try:
                        status, body = 200, handler(self.sb, params, *args)
                    except CardDeclined as decline:
                        # Kept, as at Stripe: the failed payment intent and charge are records.
                        status, body = decline.status, decline.body()
            except StripeError as error:
                status, body = error.status, error.body()
            finally:
                self.sb.request = RequestContext()
            encoded = json.dumps(body)
            if idempotency_key:
                headers["Idempotency-Key"] = idempotency_key
                store.idempotent_record(
                    api_key, idempotency_key, fingerprint, status, encoded, now=self.sb.now()
                )
        return Response(status, encoded.encode(), "application/json", headers)

    def file(self, file_id: str) -> Response:
        """A file's contents, as Stripe's files host serves them (same keys as the API)."""
        api_key_from(self.headers.get("Authorization", ""))
        with self.sb.store.lock:
            text = file_contents(self.sb, file_id)
        if text is None:
            return json_response(
                404,
                {
                    "error": {
                        "type": "invalid_request_error",
                        "message": f"No such file: '{file_id}'",
                    }
                },
            )
        return Response(200, text.encode(), "text/csv; charset=utf-8", {})

    # /_sandbox ---------------------------------------------------------------

    def control(self, method: str, path: str, query: str, raw_body: str) -> Response:
        params = parse_form(query)
        if raw_body.strip().startswith("{"):
            try:
                params |= json.loads(raw_body)
            except json.JSONDecodeError:
                return json_response(
                    400,
                    {
                        "error": {
                            "type": "invalid_request_error",
                            "message": "Body is not valid JSON.",
                        }
                    },
                )
        elif raw_body:
            params |= parse_form(raw_body)
        handler, args, unlocked = control_route(method, path)
        if unlocked:
            return json_response(200, handler(self.sb, params, *args))
        with self.sb.store.transaction():
            return json_response(200, handler(self.sb, params, *args))

    # hosted pages ------------------------------------------------------------

    def page(self, method: str, path: str, raw_body: str) -> Response:
        checkout = CHECKOUT_PAGE.fullmatch(path)
        portal = PORTAL_PAGE.fullmatch(path)
        hosted_invoice = INVOICE_PAGE.fullmatch(path)
        with self.sb.store.transaction():
            if hosted_invoice:
                return self.invoice_page(method, hosted_invoice.group(1))
            if checkout:
                return self.checkout_page(
                    method, checkout.group(1), bool(checkout.group(2)), parse_form(raw_body)
                )
            if portal:
                return self.portal_page(method, portal.group(1), parse_form(raw_body))
        return html_response(404, not_found_page())

    def checkout_page(
        self, method: str, session_id: str, cancel: bool, form: dict[str, Any]
    ) -> Response:
        session = self.sb.store.get(session_id)
        if not session or session["object"] != "checkout.session":
            return html_response(404, not_found_page())
        if session["status"] == "open" and session["expires_at"] <= self.sb.now():
            session_expire(self.sb, session)
        items = session_private(self.sb, session_id)["line_items"]
        if method == "GET" or session["status"] != "open":
            status = 200 if session["status"] == "open" or method == "GET" else 409
            return html_response(status, checkout_page(session, items))
        if cancel:
            return redirect(session.get("cancel_url") or session["success_url"])
        try:
            number, exp_month, exp_year = validate_card(form)
            card = {"number": number, "exp_month": exp_month, "exp_year": exp_year} | {
                "email": form.get("email"),
                "name": form.get("name"),
            }
            with self.sb.store.transaction():
                session_complete(self.sb, session, card)
        except CardDeclined as decline:
            # The failed payment intent and charge stay on record, as at Stripe.
            return html_response(
                402, checkout_page(session, items, error=decline_sentence(decline), values=form)
            )
        except StripeError as error:
            return html_response(
                400, checkout_page(session, items, error=error.message, values=form)
            )
        return redirect(success_redirect(session))

    def invoice_page(self, method: str, invoice_id: str) -> Response:
        """Stripe's hosted invoice page: where a supporter confirms a payment (3-D Secure)."""
        invoice = self.sb.store.get(invoice_id)
        if not invoice or invoice["object"] != "invoice":
            return html_response(404, not_found_page())
        if method == "POST" and invoice["status"] == "open":
            decline = invoice_pay_confirmed(self.sb, invoice)
            if decline:
                return html_response(402, invoice_page(invoice, error=decline_sentence(decline)))
        return html_response(200, invoice_page(invoice))

    def portal_page(self, method: str, session_id: str, form: dict[str, Any]) -> Response:
        session = self.sb.store.get(session_id)
        if not session or session["object"] != "billing_portal.session":
            return html_response(404, not_found_page())
        if method == "GET":
            return html_response(
                200, portal_page(session, current_card(self.sb, session["customer"]))
            )
        try:
            number, exp_month, exp_year = validate_card(form)
            portal_card_replace(
                self.sb, session, number=number, exp_month=exp_month, exp_year=exp_year
            )
        except StripeError as error:
            card = current_card(self.sb, session["customer"])
            return html_response(400, portal_page(session, card, error=error.message))
        card = current_card(self.sb, session["customer"])
        return html_response(200, portal_page(session, card, message="Your card was updated."))


def outage_response(status: int) -> Response:
    """What Stripe answers while it is in trouble: an `api_error`, nothing done."""
    body = {
        "error": {
            "type": "api_error",
            "message": "An error occurred with our connection to Stripe. (sandbox outage)",
        }
    }
    return json_response(status, body, **{"Request-Id": new_id("req_", 14)})


def decline_sentence(decline: CardDeclined) -> str:
    return f"{decline.message} Try another card, or one of the test cards below."
