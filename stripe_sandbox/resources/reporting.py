"""Reporting API: report runs and the files they produce (../reporting.py)."""

from typing import Any

from ..app import Sandbox
from ..expand import answer
from ..registry import Resource, Route
from ..reporting import report_run_create


def report_runs_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return answer(sb, params, report_run_create(sb, params))


RESOURCES = (
    Resource(
        "reporting.report_run",
        prefix="frr_",
        path="reporting/report_runs",
        links={"status": "status"},
        routes=(Route("POST", "/v1/reporting/report_runs", report_runs_create),),
    ),
    Resource("file", prefix="file_", path="files", links={"purpose": "purpose"}),
)
