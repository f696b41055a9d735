"""The appeal form is a public interface: its markup and its answers must not drift."""

import json

import pytest
from django.urls import reverse

from newsroom.services import appeal_create_default
from tests.factories import AppealAmountFactory, AppealFactory, ArticleFactory

from .html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return ArticleFactory()


@pytest.fixture(params=["article", "support"])
def appeal_url(request, article):
    return article.get_absolute_url() if request.param == "article" else reverse("newsroom:support")


def appeal_form(response):
    forms = [f for f in parse(response.content).find_all("form") if f.find("input", name="amount")]
    assert len(forms) == 1
    return forms[0]


def test_the_form_has_the_agreed_fields(client, appeal_url):
    form = appeal_form(client.get(appeal_url))
    assert form.attrs["method"] == "post"
    assert "action" not in form.attrs
    # Shared by every reader (and cached): no per-reader token in what the server sends.
    assert not form.find("input", name="csrfmiddlewaretoken")
    assert form.find("input", name="form_token", type="hidden").attrs["value"] == ""
    assert form.find_all("input", name="amount", type="radio")
    assert form.find("input", name="other_amount", type="text").attrs["inputmode"] == "decimal"
    currency = form.find("select", name="currency")
    assert [o.attrs["value"] for o in currency.find_all("option")] == ["eur", "usd", "gbp"]
    frequencies = form.find_all("input", name="frequency", type="radio")
    assert [f.attrs["value"] for f in frequencies] == ["month", "year", "once"]
    checked = [f.attrs["value"] for f in frequencies if "checked" in f.attrs]
    assert checked == ["month"]
    assert form.find("input", name="cover_fees", type="checkbox")
    assert form.find("button", type="submit")


def test_every_control_has_a_label_and_every_fieldset_a_legend(client, appeal_url):
    form = appeal_form(client.get(appeal_url))
    labels = {label.attrs.get("for"): label.text for label in form.find_all("label")}
    controls = [
        node
        for node in form.iter()
        if node.tag in {"input", "select", "textarea"} and node.attrs.get("type") != "hidden"
    ]
    assert len(controls) >= 8
    for control in controls:
        assert labels.get(control.attrs.get("id")), control.attrs
    fieldsets = form.find_all("fieldset")
    assert len(fieldsets) >= 2
    for fieldset in fieldsets:
        assert fieldset.children[0].tag == "legend"
        assert fieldset.children[0].text


def test_suggested_amounts_default_to_2_5_10_a_month_in_euros(client, appeal_url):
    appeal_create_default(name="Spring", is_live=True)
    form = appeal_form(client.get(appeal_url))
    radios = form.find_all("input", name="amount", type="radio")
    labels = {label.attrs.get("for"): label.text for label in form.find_all("label")}
    shown = [(r.attrs["value"], labels[r.attrs["id"]]) for r in radios]
    # As served the buttons name no currency: without script they must stay true when the
    # reader picks another one. appeal.js labels them "€2", "€5", "€10" from this data.
    assert shown == [("2", "2"), ("5", "5"), ("10", "10"), ("other", "Other amount")]
    script_data = json.loads(form.attrs["data-appeal-amounts"])
    assert [choice["label"] for choice in script_data["eur"]["month"]] == ["€2", "€5", "€10"]


def test_the_live_appeal_wording_and_amounts_come_from_the_admin(client, article):
    appeal = AppealFactory(heading="One small thing before you go", body="We need you.")
    AppealAmountFactory(appeal=appeal, amount=300, position=0)
    AppealAmountFactory(appeal=appeal, amount=750, position=1)
    response = client.get(article.get_absolute_url())
    assert b"One small thing before you go" in response.content
    assert b"We need you." in response.content
    values = [r.attrs["value"] for r in appeal_form(response).find_all("input", name="amount")]
    assert values == ["3", "7.50", "other"]


def test_saving_the_appeal_in_admin_terms_updates_the_cached_block(client, article):
    appeal = AppealFactory(heading="First wording")
    assert b"First wording" in client.get(article.get_absolute_url()).content
    appeal.heading = "Second wording"
    appeal.save()
    assert b"Second wording" in client.get(article.get_absolute_url()).content


def test_only_one_appeal_can_be_live():
    from django.db import IntegrityError

    AppealFactory(is_live=True)
    with pytest.raises(IntegrityError):
        AppealFactory(is_live=True)


def test_default_appeal_has_amounts_for_every_currency_and_frequency():
    appeal = appeal_create_default(name="Defaults", is_live=True)
    rows = {(a.currency, a.frequency, a.amount) for a in appeal.amounts.all()}
    assert len(rows) == 3 * 3 * 3
    assert ("gbp", "month", 200) in rows
    assert ("usd", "year", 20000) in rows
    assert ("eur", "once", 2500) in rows
