"""`{% supporter_result_list cl %}`: Django's result list, with the rows drawn directly
(subscriptions/admin/supporter_rows.py)."""

from typing import Any

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers, result_list

from subscriptions.admin.supporter_rows import rows_drawable, supporter_rows

register = template.Library()


@register.inclusion_tag("admin/change_list_results.html")
def supporter_result_list(cl: Any) -> dict[str, Any]:
    if not rows_drawable(cl):
        return result_list(cl)
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": list(supporter_rows(cl, cl.model_admin.list_cells())),
    }
