"""The supporter list's rows, drawn directly: Django admin draws each of the 50 rows' cells
through lookups, field formatting and a reverse() per row, most of the list's time at any
table size. The markup is Django's own (`<th class="field-email"><a href=…>`, one
`<td class="field-…">` per column, the action checkbox), so the admin's script and styles
work on it unchanged; popups and editable lists are left to Django (see `rows_drawable`)."""

from collections.abc import Callable, Iterator
from typing import Any

from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from subscriptions.models import Supporter

PK_MARK = 987654321  # reversed once per page, then replaced by each row's id


def rows_drawable(cl: Any) -> bool:
    return not cl.is_popup and not cl.formset and not cl.to_field


def supporter_rows(cl: Any, cells: dict[str, Callable[[Supporter], str]]) -> Iterator[list[str]]:
    """One list of cell markup per supporter on the page, for change_list_results.html."""
    url = reverse(
        f"{cl.model_admin.admin_site.name}:subscriptions_supporter_change", args=[PK_MARK]
    )
    url = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)
    before, after = (conditional_escape(part) for part in url.split(str(PK_MARK), 1))
    columns = [name for name in cl.list_display if name != "action_checkbox"]
    first, rest = columns[0], columns[1:]
    checkbox = "action_checkbox" in cl.list_display
    empty = cl.model_admin.get_empty_value_display()
    for supporter in cl.result_list:
        row: list[str] = []
        if checkbox:
            row.append(
                format_html(
                    '<td class="action-checkbox"><input type="checkbox" name="{}" value="{}" '
                    'class="action-select" aria-label="Select this object for an action - {}">'
                    "</td>",
                    helpers.ACTION_CHECKBOX_NAME,
                    supporter.pk,
                    str(supporter),
                )
            )
        row.append(
            mark_safe(  # noqa: S308 (every part is escaped above or here)
                f'<th class="field-{first}"><a href="{before}{supporter.pk}{after}">'
                f"{conditional_escape(cells[first](supporter) or empty)}</a></th>"
            )
        )
        row.extend(
            mark_safe(  # noqa: S308 (the cell's text is escaped here)
                f'<td class="field-{name}">{conditional_escape(cells[name](supporter) or empty)}'
                "</td>"
            )
            for name in rest
        )
        yield row
