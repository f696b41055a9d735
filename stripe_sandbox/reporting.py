"""Stripe's Reporting API, for one report: the itemized payout reconciliation
(`payout_reconciliation.itemized.5`), written from the sandbox's own records in Stripe's
column format: one row per balance transaction paid out by an automatic payout whose
reconciliation is complete and which arrived in [interval_start, interval_end).

A run succeeds at once; its file's text is kept beside the file object and served from
`/v1/files/<id>/contents`, as Stripe's files host serves it."""

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .app import Sandbox
from .errors import InvalidRequest
from .ids import new_id
from .money import minor_unit_factor
from .shapes import skeleton

UTC_ZONE = ZoneInfo("UTC")
ITEMIZED_PAYOUT_REPORT = "payout_reconciliation.itemized.5"
COLUMNS = (
    "balance_transaction_id",
    "created_utc",
    "created",
    "available_on_utc",
    "currency",
    "gross",
    "fee",
    "net",
    "reporting_category",
    "source_id",
    "description",
    "customer_facing_amount",
    "customer_facing_currency",
    "automatic_payout_id",
    "automatic_payout_effective_at_utc",
    "customer_id",
    "customer_email",
    "customer_name",
    "charge_id",
    "payment_intent_id",
    "invoice_id",
    "subscription_id",
    "payment_method_type",
    "card_brand",
    "card_country",
    "dispute_reason",
)
FILE_EXPIRES_SECONDS = 7 * 86400


def major(amount: int | None, currency: str) -> str:
    """Minor units as Stripe's reports write them: major units with a dot."""
    if amount is None or not currency:
        return ""
    factor = minor_unit_factor(currency)
    if factor == 1:
        return str(amount)
    return f"{Decimal(amount) / factor:.2f}"


def stamp(timestamp: int | None, zone: ZoneInfo = UTC_ZONE) -> str:
    if not timestamp:
        return ""
    return datetime.fromtimestamp(timestamp, tz=UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _charge_of(sb: Sandbox, source: dict[str, Any]) -> dict[str, Any] | None:
    if source.get("object") == "charge":
        return source
    charge_id = source.get("charge")
    return sb.store.get(charge_id) if charge_id else None


def _invoice_of(sb: Sandbox, charge: dict[str, Any]) -> dict[str, Any] | None:
    for invoice_payment in _objects(sb, "invoice_payment", status="paid"):
        payment = invoice_payment.get("payment") or {}
        intent = payment.get("payment_intent")
        if intent == charge["payment_intent"] or payment.get("charge") == charge["id"]:
            return sb.store.get(invoice_payment["invoice"])
    return None


def itemized_row(
    sb: Sandbox, transaction: dict[str, Any], payout: dict[str, Any], zone: ZoneInfo
) -> dict[str, str]:
    currency = transaction["currency"]
    source = sb.store.get(transaction["source"]) or {}
    charge = _charge_of(sb, source)
    customer = sb.store.get(charge["customer"]) if charge and charge.get("customer") else None
    invoice = _invoice_of(sb, charge) if charge and charge.get("payment_intent") else None
    card = ((charge or {}).get("payment_method_details") or {}).get("card") or {}
    facing_amount: int | None = None
    if source.get("object") == "charge":
        facing_amount = source["amount"]
    elif source.get("object") in ("refund", "dispute"):
        facing_amount = -source["amount"]
    facing_currency = source.get("currency") or "" if facing_amount is not None else ""
    subscription = ""
    if invoice:
        details = (invoice.get("parent") or {}).get("subscription_details") or {}
        subscription = details.get("subscription") or ""
    return {
        "balance_transaction_id": transaction["id"],
        "created_utc": stamp(transaction["created"]),
        "created": stamp(transaction["created"], zone),
        "available_on_utc": stamp(transaction["available_on"]),
        "currency": currency,
        "gross": major(transaction["amount"], currency),
        "fee": major(transaction["fee"], currency),
        "net": major(transaction["net"], currency),
        "reporting_category": transaction["reporting_category"],
        "source_id": transaction["source"],
        "description": transaction.get("description") or "",
        "customer_facing_amount": major(facing_amount, facing_currency),
        "customer_facing_currency": facing_currency,
        "automatic_payout_id": payout["id"],
        "automatic_payout_effective_at_utc": stamp(payout["arrival_date"]),
        "customer_id": (customer or {}).get("id") or "",
        "customer_email": (customer or {}).get("email") or "",
        "customer_name": (customer or {}).get("name") or "",
        "charge_id": (charge or {}).get("id") or "",
        "payment_intent_id": (charge or {}).get("payment_intent") or "",
        "invoice_id": (invoice or {}).get("id") or "",
        "subscription_id": subscription,
        "payment_method_type": "card" if card else "",
        "card_brand": card.get("brand") or "",
        "card_country": card.get("country") or "",
        "dispute_reason": source.get("reason") or "" if source.get("object") == "dispute" else "",
    }


def _objects(sb: Sandbox, object_name: str, **links: str) -> list[dict[str, Any]]:
    where = " AND ".join(f"{name} = ?" for name in links)
    rows = sb.store.execute(
        f"SELECT data FROM objects WHERE object = ? {'AND ' + where if where else ''} "  # noqa: S608
        "ORDER BY seq",
        (object_name, *links.values()),
    ).fetchall()
    return [json.loads(data) for (data,) in rows]


def itemized_payout_csv(
    sb: Sandbox, *, start: int, end: int, currency: str, columns: list[str], zone: ZoneInfo
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for payout in _objects(sb, "payout"):
        if not payout["automatic"] or payout["reconciliation_status"] != "completed":
            continue
        if not start <= payout["arrival_date"] < end:
            continue
        if currency and payout["currency"] != currency:
            continue
        for transaction in _objects(sb, "balance_transaction", payout=payout["id"]):
            if transaction["source"] == payout["id"]:
                continue
            row = itemized_row(sb, transaction, payout, zone)
            writer.writerow([row[column] for column in columns])
    return out.getvalue()


def _integer(parameters: dict[str, Any], name: str) -> int:
    try:
        return int(parameters[name])
    except (KeyError, ValueError):
        raise InvalidRequest(f"Missing or invalid parameters[{name}].", param=name) from None


def report_run_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    report_type = params.get("report_type")
    if report_type != ITEMIZED_PAYOUT_REPORT:
        raise InvalidRequest(
            f"The sandbox runs only the {ITEMIZED_PAYOUT_REPORT} report.", param="report_type"
        )
    parameters = dict(params.get("parameters") or {})
    start, end = _integer(parameters, "interval_start"), _integer(parameters, "interval_end")
    if end <= start:
        raise InvalidRequest("interval_end must be after interval_start.", param="interval_end")
    columns = parameters.get("columns") or list(COLUMNS)
    if isinstance(columns, dict):
        columns = list(columns.values())
    unknown = [column for column in columns if column not in COLUMNS]
    if unknown:
        raise InvalidRequest(f"Unknown column(s): {', '.join(unknown)}.", param="columns")
    try:
        zone = ZoneInfo(parameters.get("timezone") or "Etc/UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidRequest("Unknown parameters[timezone].", param="timezone") from None
    text = itemized_payout_csv(
        sb,
        start=start,
        end=end,
        currency=str(parameters.get("currency") or "").lower(),
        columns=list(columns),
        zone=zone,
    )
    now = sb.now()
    file = skeleton(
        "file",
        id=new_id("file_"),
        created=now,
        expires_at=now + FILE_EXPIRES_SECONDS,
        filename=f"{ITEMIZED_PAYOUT_REPORT}.csv",
        purpose="finance_report_run",
        size=len(text.encode()),
        title=f"{ITEMIZED_PAYOUT_REPORT} {start}-{end}",
        type="csv",
    )
    file["url"] = f"{sb.public_base}/v1/files/{file['id']}/contents"
    sb.save(file)
    sb.save({"id": f"{file['id']}:contents", "object": "sandbox.file_contents", "text": text})
    run = skeleton(
        "reporting.report_run",
        id=new_id("frr_"),
        created=now,
        report_type=report_type,
        status="succeeded",
        succeeded_at=now,
        result=file,
    )
    run["parameters"] = {key: value for key, value in parameters.items() if value is not None}
    sb.save(run)
    sb.emit("reporting.report_run.succeeded", run)
    return run


def file_contents(sb: Sandbox, file_id: str) -> str | None:
    stored = sb.store.get(f"{file_id}:contents")
    return stored["text"] if stored else None
