"""The public releases: every published catalogue with what it was computed from, and the
figures each release revised. The explorer, the map and the home page say which release their
figures come from, or that a year's figures are provisional."""

from __future__ import annotations

from typing import Annotated, Any

from babel.dates import format_datetime
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from healthforce.indicators import releases as rel
from healthforce.indicators.outputs import metadata
from healthforce.reference.codes import LOCALES
from healthforce.reference.occupations import occupation_groups
from healthforce.web.cache import public_cached, release_of, zone_of
from healthforce.web.deps import EngineDep, LangDep
from healthforce.web.i18n import Lang, translations
from healthforce.web.pages.common import area_names, number, render

router = APIRouter(tags=["pages"])
ReleaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def published_on(request: Request, engine: Engine, release: rel.ReleaseRecord, lang: Lang) -> str:
    """When a release was published, in the place's time zone, as the language writes it."""
    zone = zone_of(request, engine)
    text: str = format_datetime(release.published_at, "medium", tzinfo=zone, locale=LOCALES[lang])
    return f"{text} ({zone.key})"


def provenance(request: Request, engine: Engine, year: int | None, lang: Lang) -> dict[str, Any]:
    """What a page says about its figures' year: the release they come from (its id and
    publication date), or that they are provisional (``release`` None)."""
    release = release_of(request, engine, year) if year is not None else None
    if release is None:
        return {"release": None}
    return {"release": {"id": release.id, "date": published_on(request, engine, release, lang)}}


def _names(engine: Engine, lang: Lang) -> dict[str, dict[str, str]]:
    """Names of the areas, groups and indicators a release's rows are keyed by."""
    _ = translations(lang).gettext
    areas = area_names(engine)
    areas["all areas"] = _("all areas")
    groups = {g.code: g.name(lang) for g in occupation_groups().values()}
    groups["all"] = _("all groups")
    meta = metadata()
    names = meta["name_es" if lang == "es" else "name_en"]
    indicators = dict(zip(meta["code"], names, strict=True))
    return {"area": areas, "grp": groups, "code": indicators}


def _number(value: object, lang: Lang) -> str:
    return number(value, 2, lang)


@router.get("/releases", response_class=HTMLResponse, include_in_schema=False)
@public_cached
def release_list(request: Request, engine: EngineDep, lang: LangDep) -> HTMLResponse:
    rows = [
        {
            "id": r.id,
            "year": r.year,
            "date": published_on(request, engine, r, lang),
            "rows": _number(r.rows, lang),
            "threshold": r.threshold,
            "checksum": r.checksum,
        }
        for r in rel.releases(engine)
    ]
    return render(request, "releases.html", lang, releases=rows)


@router.get("/releases/{release_id}", response_class=HTMLResponse, include_in_schema=False)
@public_cached
def release_page(
    request: Request, engine: EngineDep, lang: LangDep, release_id: ReleaseId
) -> HTMLResponse:
    release = rel.release_record(engine, release_id)
    names = _names(engine, lang)
    revised = rel.revisions(engine, release_id)
    changes = [
        {
            "indicator": names["code"].get(r["code"], r["code"]),
            "area": names["area"].get(r["area"], r["area"]),
            "grp": names["grp"].get(r["grp"], r["grp"]),
            "category": r["category"],
            "before": _number(r["before"], lang),
            "after": _number(r["after"], lang),
        }
        for r in revised.to_dict("records")
    ]
    return render(
        request,
        "release.html",
        lang,
        release={
            "id": release.id,
            "year": release.year,
            "date": published_on(request, engine, release, lang),
            "rows": _number(release.rows, lang),
            "threshold": release.threshold,
            "checksum": release.checksum,
            "sources": release.sources,
        },
        changes=changes,
    )
