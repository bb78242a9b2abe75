"""Every string a page shows is in both catalogues: Spanish (the site's default) and English."""

from __future__ import annotations

import io
import re
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TEMPLATES = Path(str(resources.files("healthforce.web").joinpath("templates")))
LITERAL = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\)""")


def _shown() -> set[str]:
    found: set[str] = set()
    for page in TEMPLATES.glob("*.html"):
        for m in LITERAL.finditer(page.read_text("utf-8")):
            found.add(m.group(1) or m.group(2))
    return found


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_template_string_is_translated(lang: str) -> None:
    po = resources.files("healthforce.web").joinpath("locale", lang, "LC_MESSAGES", "messages.po")
    catalog = read_po(io.StringIO(po.read_text("utf-8")), locale=lang)
    shown = _shown()
    assert len(shown) > 50
    missing = sorted(s for s in shown if s not in catalog or not catalog[s].string)
    assert not missing, missing
