"""Build the compiled message catalogues (.mo) from the translations (.po) in `locale/`.

Pure Python (Babel), so a clean clone with only Python builds them: GNU gettext's
`msgfmt` is not needed. `make run` and `make test` call it; the .mo files are not kept
in git. A catalogue is rebuilt only when its .po is newer.

    python -m config.translations
"""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

BASE_DIR = Path(__file__).resolve().parent.parent


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


def main() -> int:
    for path in translations_compile():
        print(f"Compiled {path.relative_to(BASE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
