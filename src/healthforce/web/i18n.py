"""Spanish and English for every user-facing string of the web (gettext catalogues in
``locale/``, compiled in memory when first used, so no build step is needed)."""

from __future__ import annotations

import gettext
import io
from functools import cache
from importlib import resources
from typing import Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

Lang = Literal["es", "en"]
LANGS: tuple[Lang, ...] = ("es", "en")
DEFAULT: Lang = "es"


@cache
def translations(lang: Lang) -> gettext.GNUTranslations:
    po = resources.files("healthforce.web").joinpath("locale", lang, "LC_MESSAGES", "messages.po")
    catalog = read_po(io.StringIO(po.read_text("utf-8")), locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def pick(lang: str | None) -> Lang:
    return "en" if lang == "en" else DEFAULT
