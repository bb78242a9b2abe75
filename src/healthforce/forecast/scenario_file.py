"""What a scenario file may hold, as pydantic models (the layout is documented in
:mod:`healthforce.forecast.scenarios`): every key known, every value of its type and range, the
occupations, areas and target year those of the model it is applied to (passed as the
validation context). :func:`problems` turns pydantic's errors into the registry's located
problems: the file, the key (``need.service.2222.minutes``), the value and a reason in English
and Spanish."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as PydanticError

from healthforce.errors import Problem
from healthforce.forecast.spec import EXITS, Dims

Number = Annotated[StrictInt | StrictFloat, Field(ge=0)]
Share = Annotated[StrictInt | StrictFloat, Field(ge=0, le=1)]


def _context(info: ValidationInfo) -> Dims:
    dims: Dims = (info.context or {})["dims"]
    return dims


class _BadKeyError(ValueError):
    """An error about one key of a table: pydantic locates it at the model, not the key."""

    def __init__(self, key: str, value: object, reason: str) -> None:
        super().__init__(reason)
        self.key, self.value, self.reason = key, value, reason


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _occupation_keys(value: dict[str, Any], info: ValidationInfo, also: tuple[str, ...]) -> None:
    known = set(_context(info).occupations) | set(also)
    for key in value:
        if key not in known:
            raise _BadKeyError(key, key, "unknown occupation / ocupación desconocida")


class Retirement(_Strict):
    age_shift: StrictInt = Field(0, ge=-15, le=15)


class Cooperation(_Strict):
    replacement: Share | None = None


def population_group(text: str) -> tuple[str, int, int | None] | None:
    """(sex, first age, last age or None for no upper limit) of a group written "F 15-49",
    "T 65+" or "M all"; None when the text is not such a group."""
    parts = text.split()
    if len(parts) != 2 or parts[0] not in ("F", "M", "T"):
        return None
    sex, ages = parts
    if ages == "all":
        return sex, 0, None
    if ages.endswith("+") and ages[:-1].isdigit():
        return sex, int(ages[:-1]), None
    low, _, high = ages.partition("-")
    if low.isdigit() and high.isdigit() and int(low) <= int(high):
        return sex, int(low), int(high)
    return None


class Service(_Strict):
    """Service-based need of one occupation (Birch and Tomblin Murphy): population group x
    rate x services per need x minutes per service / productive hours of a full-time worker."""

    population: str
    rate: Number
    services: Number
    minutes: Number
    hours_per_fte: Annotated[StrictInt | StrictFloat, Field(gt=0)]

    @field_validator("population")
    @classmethod
    def _group(cls, value: str) -> str:
        if population_group(value) is None:
            raise ValueError('a group like "F 15-49", "T 65+" or "T all" / un grupo como "F 15-49"')
        return value


class Need(BaseModel):
    """The scenario's own norm: densities per 10,000 population by occupation (or ``core``),
    reached by ``target_year``; ``wisn`` a workload file; ``service`` per occupation."""

    model_config = ConfigDict(extra="allow")

    target_year: StrictInt | None = None
    core: Number | None = None
    wisn: str | None = None
    service: dict[str, Service] = Field(default_factory=dict)

    @field_validator("target_year")
    @classmethod
    def _within(cls, value: int | None, info: ValidationInfo) -> int | None:
        dims = _context(info)
        last = dims.base_year + dims.horizon
        if value is not None and not dims.base_year < value <= last:
            raise ValueError(f"a year after {dims.base_year}, by {last} / un año del período")
        return value

    @field_validator("wisn")
    @classmethod
    def _exists(cls, value: str | None, info: ValidationInfo) -> str | None:
        folder = Path((info.context or {}).get("source", ".")).parent
        if value is not None and not (folder / value).exists():
            raise ValueError(
                "no such workload file (a path from the scenario's folder) / no existe el "
                "archivo de carga de trabajo"
            )
        return value

    @field_validator("service")
    @classmethod
    def _service_occupations(cls, value: dict[str, Service], info: ValidationInfo) -> Any:
        _occupation_keys(value, info, ())
        return value

    @model_validator(mode="after")
    def _densities(self, info: ValidationInfo) -> Need:
        occupations = set(_context(info).occupations)
        for key, value in (self.model_extra or {}).items():
            if key not in occupations:
                reason = "unknown occupation (or core) / ocupación desconocida"
                raise _BadKeyError(key, value, reason)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise _BadKeyError(
                    key, value, "a density per 10,000, >= 0 / una densidad por 10.000, >= 0"
                )
        return self


Factors = dict[str, Number]
Shares = dict[str, Share]


class ScenarioFile(_Strict):
    name: str | None = None
    description: str = ""
    exits: Literal[EXITS] = "competing"  # type: ignore[valid-type]
    intake: Factors = Field(default_factory=dict)
    emigration: Factors = Field(default_factory=dict)
    other_exit: Factors = Field(default_factory=dict)
    immigration: Factors = Field(default_factory=dict)
    returns: Factors = Field(default_factory=dict)
    completion: Shares = Field(default_factory=dict)
    entry_share: Shares = Field(default_factory=dict)
    retirement: Retirement = Field(default_factory=Retirement)
    graduates_to: Shares = Field(default_factory=dict)
    cooperation: Cooperation = Field(default_factory=Cooperation)
    need: Need | None = None

    @field_validator(
        "intake", "emigration", "other_exit", "immigration", "returns", "completion", "entry_share"
    )
    @classmethod
    def _by_occupation(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        _occupation_keys(value, info, ("all",))
        return value

    @field_validator("graduates_to")
    @classmethod
    def _areas(cls, value: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        for key in value:
            if key not in _context(info).areas:
                raise _BadKeyError(key, key, "unknown area / área desconocida")
        if sum(value.values()) > 1:
            raise ValueError("shares add up to more than 1 / suman más de 1")
        return value


#: pydantic's error types, said in English and Spanish.
REASONS = {
    "extra_forbidden": "unknown parameter / parámetro desconocido",
    "missing": "missing / falta",
    "greater_than_equal": "must be >= {ge} / debe ser >= {ge}",
    "greater_than": "must be > {gt} / debe ser > {gt}",
    "less_than_equal": "must be <= {le} / debe ser <= {le}",
    "int_type": "must be a whole number / debe ser un número entero",
    "float_type": "must be a number / debe ser un número",
    "string_type": "must be text / debe ser un texto",
    "literal_error": "one of {expected} / uno de {expected_es}",
}


def _reason(error: Any, number: bool) -> str:
    """The error said in English and Spanish; ``number``: the value had to be a number (an
    int or a float: a type error is then "a number", not "a whole number")."""
    kind, ctx = error["type"], dict(error.get("ctx") or {})
    if number and kind in ("int_type", "float_type"):
        return REASONS["float_type"]
    if "expected" in ctx:
        ctx["expected_es"] = str(ctx["expected"]).replace(" or ", " o ")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "a table is expected (one key = value a line) / se espera una tabla"
    if kind == "value_error":
        found = ctx.get("error")
        return str(found.reason if isinstance(found, _BadKeyError) else found)
    if kind in REASONS:
        return REASONS[kind].format(**{k: v for k, v in ctx.items() if isinstance(v, str | int)})
    return f"{error['msg']} / valor no válido"


def problems(data: dict[str, Any], dims: Dims, source: str) -> list[Problem]:
    """The scenario's problems (empty when ``data`` is a valid scenario for ``dims``)."""
    try:
        ScenarioFile.model_validate(data, context={"dims": dims, "source": source})
    except PydanticError as exc:
        found: list[Problem] = []
        for error in exc.errors():
            # a union (int | float) reports each member: keep the first, strip the members
            number = any(p in ("int", "float") for p in error["loc"])
            loc = [str(p) for p in error["loc"] if p not in ("int", "float")]
            loc = [p for p in loc if not p.startswith(("constrained-", "function-"))]
            value: object = None if error["type"] == "missing" else error.get("input")
            within = error.get("ctx", {}).get("error")
            if isinstance(within, _BadKeyError):
                loc, value = [*loc, within.key], within.value
            where = ".".join(loc) or "*"
            reason = _reason(error, number)
            if all(p.field != where for p in found):
                found.append(Problem("scenario", source, where, value, reason, source=source))
        return found
    return []
