"""`python -m stripe_sandbox`: start the offline Stripe-compatible server."""

import argparse
import ipaddress
import sys

from .app import Sandbox
from .money import EUR_PER_UNIT
from .schema import SchemaTooNew
from .server import Handler, SandboxServer
from .webhooks import Chaos

LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m stripe_sandbox",
        description="Offline Stripe-compatible API server (test mode only; no money moves).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--db", default="var/stripe_sandbox.sqlite3", help="SQLite file")
    parser.add_argument(
        "--settlement-currency",
        default="eur",
        type=str.lower,
        help="the account's settlement currency (charges in others are converted)",
    )
    parser.add_argument("--webhook-url", help="deliver every event to this URL")
    parser.add_argument("--webhook-secret", help="signing secret for --webhook-url (whsec_...)")
    parser.add_argument(
        "--chaos",
        type=int,
        metavar="SEED",
        help="deliver webhooks shuffled, duplicated and late, as Stripe may (seeded)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not is_loopback(args.host):
        sys.stderr.write(
            f"stripe_sandbox: refusing to bind to {args.host!r}: the sandbox listens on "
            "loopback only (127.0.0.0/8, ::1 or localhost). Use --host 127.0.0.1.\n"
        )
        return 2
    if args.webhook_url and not args.webhook_url.startswith(("http://", "https://")):
        sys.stderr.write("stripe_sandbox: --webhook-url must be an http:// or https:// URL.\n")
        return 2
    if args.webhook_secret and not args.webhook_url:
        sys.stderr.write("stripe_sandbox: --webhook-secret needs --webhook-url.\n")
        return 2
    if args.settlement_currency not in EUR_PER_UNIT:
        sys.stderr.write(
            f"stripe_sandbox: no exchange rates for {args.settlement_currency!r}; choose one of "
            f"{', '.join(sorted(EUR_PER_UNIT))}.\n"
        )
        return 2
    host = args.host.strip("[]")
    if ":" in host:
        SandboxServer.address_family = __import__("socket").AF_INET6
    try:
        server = SandboxServer((host, args.port), Handler)
    except OSError as error:
        sys.stderr.write(f"stripe_sandbox: cannot listen on {host}:{args.port}: {error}\n")
        return 1
    port = server.server_address[1]
    public_host = f"[{host}]" if ":" in host else host
    try:
        sandbox = Sandbox(
            db_path=args.db,
            host=public_host,
            port=port,
            settlement_currency=args.settlement_currency,
        )
    except SchemaTooNew as error:
        server.server_close()
        sys.stderr.write(f"stripe_sandbox: {error}\n")
        return 1
    server.sandbox = sandbox
    if args.webhook_url:
        endpoint = sandbox.dispatcher.upsert_endpoint(args.webhook_url, args.webhook_secret)
        sys.stderr.write(
            f"stripe_sandbox: webhooks to {endpoint['url']} signed with {endpoint['secret']}\n"
        )
    if args.chaos is not None:
        sandbox.dispatcher.chaos_set(Chaos(on=True, seed=args.chaos))
        sys.stderr.write(f"stripe_sandbox: chaos on (seed {args.chaos}): webhooks out of order\n")
    sandbox.dispatcher.start()
    sys.stderr.write(f"stripe_sandbox: listening on http://{public_host}:{port} (db {args.db})\n")
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
