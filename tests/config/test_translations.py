"""The Russian catalogue is complete (every word translated, nothing fuzzy, placeholders
kept) and current (makemessages over the code finds exactly the words it holds)."""

import gettext
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.test import override_settings

from config.translations import BASE_DIR, TRANSLATED_LANGUAGES

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
SOURCES = ["config", "newsroom", "subscriptions", "templates"]


def _catalog(path: Path):
    with path.open("rb") as po_file:
        return read_po(po_file)


def _po(language: str) -> Path:
    return BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"


def _keys(catalog) -> set[tuple[str | None, str | tuple[str, ...]]]:
    return {(message.context, message.id) for message in catalog if message.id}


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_word_is_translated_and_none_is_fuzzy(language):
    catalog = _catalog(_po(language))
    assert len(_keys(catalog)) > 250, "the catalogue holds the site's words"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {message.id!r}")
        source = message.id[-1] if isinstance(message.id, tuple) else message.id
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != set(PLACEHOLDER.findall(source)):
                problems.append(f"placeholders differ: {message.id!r} -> {string!r}")
    assert not problems, "\n".join(problems)


def test_russian_has_its_three_plural_forms():
    catalog = _catalog(_po("ru"))
    assert catalog.num_plurals == 3
    plurals = [message for message in catalog if isinstance(message.id, tuple)]
    assert plurals
    assert all(len(message.string) == 3 for message in plurals)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_the_catalogue_matches_the_code(tmp_path, monkeypatch, language):
    """makemessages over a copy of the code: a word added to the code and not to the
    catalogue, or a catalogue entry the code no longer uses, fails here."""
    for name in SOURCES:
        shutil.copytree(
            BASE_DIR / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    copied = tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"
    copied.parent.mkdir(parents=True)
    shutil.copy(_po(language), copied)
    monkeypatch.chdir(tmp_path)

    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        from config.translations import translations_extract

        translations_extract()

    fresh, committed = _keys(_catalog(copied)), _keys(_catalog(_po(language)))
    assert fresh - committed == set(), "words in the code missing from the catalogue"
    assert committed - fresh == set(), "catalogue entries the code no longer uses"


def test_the_compiled_catalogue_is_built_from_the_translations(tmp_path):
    from config.translations import translations_compile

    target = tmp_path / "ru" / "LC_MESSAGES" / "django.po"
    target.parent.mkdir(parents=True)
    shutil.copy(_po("ru"), target)

    assert translations_compile(tmp_path) == [target.with_suffix(".mo")]
    assert translations_compile(tmp_path) == []  # up to date: nothing rebuilt
    with target.with_suffix(".mo").open("rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)
    assert compiled.gettext("Continue to payment") == "Перейти к оплате"
    assert compiled.ngettext("%(count)d day", "%(count)d days", 5) == "%(count)d дней"
