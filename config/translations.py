"""The translations in `locale/`: compile them, and refresh them from the code.

Compiling (.po to .mo) is pure Python (Babel), so a clean clone with only Python builds
them: GNU gettext's `msgfmt` is not needed. `make run` and `make test` call it; the .mo
files are not kept in git. A catalogue is rebuilt only when its .po is newer.

    python -m config.translations            # compile (make messages)
    python -m config.translations --extract  # refresh the .po files from the code
                                             # (Django's makemessages: needs GNU gettext)
"""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

BASE_DIR = Path(__file__).resolve().parent.parent
# Languages with a catalogue; English is the code's own.
TRANSLATED_LANGUAGES = ["ru"]
# What makemessages does not read: staff-only admin templates, tests, benchmarks, the
# Stripe sandbox and anything installed or generated.
EXTRACT_IGNORE = [
    ".venv",
    "bench",
    "tests",
    "stripe_sandbox",
    "staticfiles",
    "var",
    "media",
    "templates/admin",
]


def translations_compile(locale_dir: Path = BASE_DIR / "locale") -> list[Path]:
    """Compile every locale/<lang>/LC_MESSAGES/*.po that changed; answers what it wrote."""
    written = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        # Fuzzy entries are guesses, never shown (a test keeps the .po free of them).
        temporary = mo_path.with_suffix(".mo.tmp")
        with temporary.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        temporary.replace(mo_path)
        written.append(mo_path)
    return written


def translations_extract() -> None:
    """Add the code's new words to each .po (untranslated) and drop the ones it lost:
    Django's makemessages, run from the current directory (the project, or a copy)."""
    from django.core.management import call_command

    call_command(
        "makemessages",
        locale=TRANSLATED_LANGUAGES,
        no_location=True,
        no_obsolete=True,
        ignore_patterns=EXTRACT_IGNORE,
        verbosity=0,
    )


def main() -> int:
    if "--extract" in sys.argv[1:]:
        import os

        import django

        os.chdir(BASE_DIR)
        # The Celery app (imported with config) defaults to production settings; reading
        # the code needs none of their secrets.
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        django.setup()
        translations_extract()
        print("Updated " + ", ".join(f"locale/{code}" for code in TRANSLATED_LANGUAGES))
        return 0
    for path in translations_compile():
        print(f"Compiled {path.relative_to(BASE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
