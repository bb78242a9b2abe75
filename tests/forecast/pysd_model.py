"""The supply model written as a Vensim model, for PySD (an independent system-dynamics engine).

Each single-year age is a stock; every year all of a stock leaves it (its exits, or ageing into
the next stock), and stock k receives the survivors of stock k-1 plus the entrants who joined at
age k-1: exactly the engine's exits-then-entrants-then-ageing step, written as flows and
integrated by PySD with Euler steps of one year. Subscripts [occ, area, sex] make it the
disaggregated model for the benchmark.
"""

from __future__ import annotations

from collections.abc import Sequence


def vensim(
    init: Sequence[object],
    survive: Sequence[object],
    entry: Sequence[float],
    immigration: object,
    graduates: tuple[float, int],
    horizon: int,
    subscripts: dict[str, list[str]] | None = None,
) -> str:
    """``init`` and ``survive`` per age (numbers, or Vensim expressions when subscripted);
    ``entry`` the share of entrants by age; graduates = (yearly number, first year)."""
    sub = ""
    lines: list[str] = []
    if subscripts:
        for name, values in subscripts.items():
            lines.append(f"{name}: {', '.join(values)}\n\t~\t\n\t~\t\t|\n")
        sub = "[" + ",".join(subscripts) + "]"

    def add(name: str, expr: str) -> None:
        lines.append(f"{name}{sub}= {expr}\n\t~\tpeople\n\t~\t\t|\n")

    per_year, first = graduates
    add("Immigration", repr(immigration))
    add("Graduates", f"IF THEN ELSE(Time >= {first}, {per_year!r}, 0)")
    add("Entrants", "Immigration + Graduates")
    for k in range(len(init)):
        add(f"S{k}", f"INTEG (in{k}{sub} - out{k}{sub}, {init[k]})")
        add(f"out{k}", f"S{k}{sub} / TIME STEP")
        if k == 0:
            add("in0", "0")
        else:
            add(
                f"in{k}",
                f"(S{k - 1}{sub} * {survive[k - 1]} + Entrants{sub} * "
                f"{entry[k - 1]!r}) / TIME STEP",
            )
    add("Total", " + ".join(f"S{k}{sub}" for k in range(len(init))))
    control = "".join(
        f"{name}  = {value}\n\t~\tYear\n\t~\t|\n\n"
        for name, value in (
            ("FINAL TIME", horizon),
            ("INITIAL TIME", 0),
            ("SAVEPER", 1),
            ("TIME STEP", 1),
        )
    )
    return (
        "{UTF-8}\n" + "\n".join(lines) + "\n********************************************"
        "************\n\t.Control\n****************************************************"
        "****~\n\t\tSimulation Control Parameters\n\t|\n\n" + control
    )
