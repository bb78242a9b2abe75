"""The demo's workers, their assignments and their movements, generated column-wise.

About 85 % of the workers are active on the reference date, one per filled post; each entered
the workforce within a year of qualifying (cooperation and recruited doctors when they arrived),
which is their entry movement; the rest left during the ten years before it (retirement,
emigration to the destinations where OECD finds Venezuela-trained doctors, the end of a
cooperation term, resignation, dismissal, death), and their posts were filled again or stand
vacant. Cooperation doctors serve rotating two-year terms; community-medicine graduates come from
the six-year local programme.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from healthforce.ingest.demo.network import Network
from healthforce.reference.occupations import occupations, specialties

ACTIVE_SHARE = 0.85
HISTORY_YEARS = 10
COOPERATION_SHARE_OF_DOCTORS = 0.08
FOREIGN_RECRUITED_SHARE = 0.02
TERM_MONTHS = 24
FEMALE = {"medical_doctors": 0.62, "nursing": 0.88, "midwifery": 0.97, "community_health": 0.75}
#: (minimum age at qualification, extra years of training for specialists)
QUALIFY_AGE = {"2211": 24, "2212": 24, "2221": 22, "2222": 22, "2261": 23, "2262": 23, "2264": 22}
RECRUIT_FROM = np.array(["COL", "ECU", "PER", "ARG", "BOL", "DOM"])
#: exit reason -> (share, status, movement kind)
EXITS = {
    "retirement": (0.30, "retired", "exit"),
    "migration": (0.33, "emigrated", "emigration"),
    "cooperation_end": (0.15, "left_sector", "exit"),
    "resignation": (0.11, "left_sector", "exit"),
    "dismissal": (0.04, "left_sector", "exit"),
    "end_of_contract": (0.04, "left_sector", "exit"),
    "death": (0.03, "deceased", "exit"),
}


@dataclass
class People:
    """Column-wise workers (index i), assignments and movements, ready for the registry."""

    workers: dict[str, list[object]]
    specialties: dict[str, list[object]]
    assignments: dict[str, list[object]]
    movements: dict[str, list[object]]
    facility_type: list[object]  # of each worker's (last) post
    active: np.ndarray


def _dates(days: np.ndarray) -> list[object]:
    return list(days.astype("datetime64[D]").tolist())


def build_people(
    net: Network,
    states_codes: list[str],
    workers: int,
    ref_day: int,
    destinations: dict[str, float],
    rng: np.random.Generator,
) -> People:
    occ_codes = np.array(net.occupations)
    groups = np.array([occupations()[o].group for o in net.occupations])
    funded_posts = np.flatnonzero(net.post_funded)
    n_active = min(round(workers * ACTIVE_SHARE), len(funded_posts))
    n_exit = workers - n_active
    filled = np.sort(rng.choice(funded_posts, n_active, replace=False))
    # Exited workers held posts of the same occupations; the post each held is drawn at random.
    exit_posts = rng.choice(net.post_facility.size, n_exit, replace=True)
    post = np.concatenate([filled, exit_posts])
    active = np.arange(workers) < n_active
    occ = net.post_occupation[post]
    fac = net.post_facility[post]
    group = groups[occ]
    code = occ_codes[occ]
    n = workers

    female = rng.random(n) < np.vectorize(lambda g: FEMALE.get(g, 0.70))(group)
    qualify_age = np.vectorize(lambda c: QUALIFY_AGE.get(c, 20))(code)
    specialist = code == "2212"
    doctor = group == "medical_doctors"
    # Dates are days since 1970-01-01.
    exit_day = np.where(active, ref_day, ref_day - rng.integers(1, 365 * HISTORY_YEARS, n))
    age_then = qualify_age + 1 + rng.gamma(2.2, 8.0, n) + np.where(specialist, 6, 0)
    age_then = np.minimum(age_then, 70)
    reason = np.where(
        active, "", rng.choice(np.array(list(EXITS)), n, p=[v[0] for v in EXITS.values()])
    )
    reason = np.where((reason == "cooperation_end") & ~doctor, "resignation", reason)
    age_then = np.where(reason == "retirement", rng.uniform(60, 68, n), age_then)
    birth = exit_day - (age_then * 365.25).astype(np.int64)
    qualified = birth + ((qualify_age + rng.uniform(0, 2, n)) * 365.25).astype(np.int64)
    qualified = np.minimum(qualified, exit_day - 30)

    programme = np.full(n, "national", dtype=object)
    coop = doctor & (rng.random(n) < COOPERATION_SHARE_OF_DOCTORS)
    coop |= reason == "cooperation_end"
    programme[coop] = "international_cooperation"
    recruited = ~coop & doctor & (rng.random(n) < FOREIGN_RECRUITED_SHARE)
    programme[recruited] = "foreign_recruited"
    young_gp = (code == "2211") & ~coop & ~recruited & (qualified > _day(2011))
    community = young_gp & (rng.random(n) < 0.7)
    programme[community] = "community_medicine"
    programme[~doctor & (rng.random(n) < 0.08)] = "private"
    country = np.full(n, "VEN", dtype=object)
    country[coop] = "CUB"
    country[recruited] = rng.choice(RECRUIT_FROM, int(recruited.sum()))

    # Assignments: when the (last) job started, and when it ended.
    tenure = np.where(
        coop,
        rng.integers(30, 30 * TERM_MONTHS, n),
        (rng.exponential(6.0, n) * 365.25).astype(np.int64) + 1,
    )
    start = np.maximum(exit_day - tenure, qualified + 1)
    end = np.where(active, np.where(coop, start + 730, -1), exit_day)
    # A post left by an exited worker was filled again after the exit (turnover).
    if n_exit:
        holder = np.full(net.post_facility.size, -1)
        holder[filled] = np.arange(n_active)
        successor = holder[exit_posts]
        refill = successor >= 0
        idx = successor[refill]
        later = exit_day[n_active:][refill] + rng.integers(1, 120, int(refill.sum()))
        start[idx] = np.clip(np.maximum(start[idx], later), qualified[idx] + 1, ref_day)
        end[idx] = np.where(coop[idx], start[idx] + 730, -1)

    state = net.state_idx[fac]
    jitter = np.where(coop, 0.01, 0.05)
    res_lat = np.clip(net.lat[fac] + rng.normal(0, 1, n) * jitter, -90, 90).round(5)
    res_lon = np.clip(net.lon[fac] + rng.normal(0, 1, n) * jitter, -180, 180).round(5)
    status = np.full(n, "active", dtype=object)
    on_leave = active & (rng.random(n) < 0.02)
    status[on_leave] = "on_leave"
    for r, (_share, st, _kind) in EXITS.items():
        status[reason == r] = st
    licence_ok = rng.random(n) < 0.96
    expiry = np.where(
        licence_ok, ref_day + rng.integers(30, 5 * 365, n), ref_day - rng.integers(1, 2 * 365, n)
    )
    ids = np.array([f"W{i:08d}" for i in range(n)], dtype=object)
    national = rng.permutation(n) + 10_000_000
    cadre = _cadres(code, programme)

    workers_cols: dict[str, list[object]] = {
        "external_id": ids.tolist(),
        "national_id": [
            f"{'E' if c else 'V'}-{x}"
            for c, x in zip(coop.tolist(), national.tolist(), strict=True)
        ],
        "sex": np.where(female, "F", "M").tolist(),
        "birth_date": _dates(birth),
        "nationality": country.tolist(),
        "birth_country": country.tolist(),
        "training_country": country.tolist(),
        "occupation": code.tolist(),
        "cadre": cadre.tolist(),
        "qualification_date": _dates(qualified),
        "licence_number": [f"MPPS-{x}" for x in (national + 7).tolist()],
        "licence_status": np.where(licence_ok, "active", "expired").tolist(),
        "licence_expiry": _dates(expiry),
        "residence_area": np.array(states_codes)[state].tolist(),
        "residence_lat": res_lat.tolist(),
        "residence_lon": res_lon.tolist(),
        "programme": programme.tolist(),
        "status": status.tolist(),
        "status_date": _dates(np.where(active, start, exit_day)),
    }
    spec_codes = np.array(list(specialties()))
    spec_idx = np.flatnonzero(specialist)
    specialty_cols: dict[str, list[object]] = {
        "worker": ids[spec_idx].tolist(),
        "specialty": spec_codes[rng.integers(0, len(spec_codes), spec_idx.size)].tolist(),
    }
    post_ids = _post_ids(net)
    ownership = net.ownership[fac]
    contract = np.where(
        coop, "cooperation", np.where(rng.random(n) < 0.75, "permanent", "temporary")
    )
    assignments: dict[str, list[object]] = {
        "external_id": [f"A{i:08d}" for i in range(n)],
        "worker": ids.tolist(),
        "post": post_ids[post].tolist(),
        "start_date": _dates(start),
        "end_date": [None if e < 0 else d for e, d in zip(end.tolist(), _dates(end), strict=True)],
        "fte": np.where(rng.random(n) < 0.9, 1.0, 0.5).tolist(),
        "weekly_hours": np.where(group == "nursing", 36.0, 40.0).tolist(),
        "sector": ownership.tolist(),
        "contract_type": contract.tolist(),
        "term_months": [TERM_MONTHS if c else None for c in coop.tolist()],
    }
    # Entry into the workforce: within a year of qualifying, before the current post (which
    # may be a later job); cooperation and recruited doctors enter when they arrive.
    first_job = qualified + rng.integers(30, 365, n)
    entered = np.where(coop | recruited, start, np.minimum(first_job, start))
    movements = _movements(
        ids,
        state,
        states_codes,
        entered,
        exit_day,
        active,
        reason,
        coop,
        recruited,
        country,
        destinations,
        rng,
    )
    facility_type = np.array(net.types, dtype=object)[net.type_idx[fac]].tolist()
    return People(
        workers_cols,
        specialty_cols,
        assignments,
        movements,
        facility_type,
        np.asarray(status == "active"),
    )


def _day(year: int) -> int:
    return int(np.datetime64(f"{year}-01-01", "D").astype(np.int64))


def _cadres(code: np.ndarray, programme: np.ndarray) -> np.ndarray:
    by_code = {
        "2211": "medico_cirujano",
        "2212": "medico_especialista",
        "2221": "licenciada_enfermeria",
        "3221": "tsu_enfermeria",
        "5321": "auxiliar_enfermeria",
        "2222": "enfermera_obstetrica",
        "2261": "odontologo",
        "2262": "farmaceutico",
        "3212": "bioanalista",
        "3211": "tecnico_radiologia",
        "2264": "fisioterapeuta",
        "3253": "promotor_salud",
    }
    out = np.array([by_code.get(c) for c in code.tolist()], dtype=object)
    out[programme == "community_medicine"] = "medico_integral_comunitario"
    return out


def _post_ids(net: Network) -> np.ndarray:
    codes = np.array(net.code, dtype=object)[net.post_facility]
    occs = np.array(net.occupations, dtype=object)[net.post_occupation]
    order = np.lexsort((net.post_occupation, net.post_facility))
    rank = np.empty(order.size, dtype=np.int64)
    # Number posts 1, 2, ... within each facility x occupation.
    key = net.post_facility[order] * 1000 + net.post_occupation[order]
    first = np.r_[True, key[1:] != key[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(order.size), 0))
    rank[order] = np.arange(order.size) - group_start + 1
    return np.array(
        [
            f"{c}-{o}-{r:02d}"
            for c, o, r in zip(codes.tolist(), occs.tolist(), rank.tolist(), strict=True)
        ],
        dtype=object,
    )


def post_columns(net: Network) -> dict[str, list[object]]:
    return {
        "external_id": _post_ids(net).tolist(),
        "facility": np.array(net.code, dtype=object)[net.post_facility].tolist(),
        "occupation": np.array(net.occupations)[net.post_occupation].tolist(),
        "funded": net.post_funded.tolist(),
        "fte": [1.0] * net.post_facility.size,
    }


def _movements(
    ids: np.ndarray,
    state: np.ndarray,
    states_codes: list[str],
    start: np.ndarray,
    exit_day: np.ndarray,
    active: np.ndarray,
    reason: np.ndarray,
    coop: np.ndarray,
    recruited: np.ndarray,
    country: np.ndarray,
    destinations: dict[str, float],
    rng: np.random.Generator,
) -> dict[str, list[object]]:
    n = ids.size
    area = np.array(states_codes, dtype=object)[state]
    entry_reason = np.where(
        coop, "cooperation_start", np.where(recruited, "recruitment", "graduation")
    )
    foreign = coop | recruited
    cols: dict[str, list[object]] = {
        "worker": ids.tolist(),
        "kind": ["entry"] * n,
        "date": _dates(start),
        "origin_area": [None] * n,
        "origin_country": [
            c if f else None for c, f in zip(country.tolist(), foreign.tolist(), strict=True)
        ],
        "destination_area": area.tolist(),
        "destination_country": [None] * n,
        "reason": entry_reason.tolist(),
    }
    left = np.flatnonzero(~active)
    dest_codes = np.array(list(destinations))
    dest = rng.choice(dest_codes, left.size, p=list(destinations.values()))
    kinds = np.array([EXITS[r][2] for r in reason[left].tolist()], dtype=object)
    dest_country = np.full(left.size, None, dtype=object)
    dest_country[kinds == "emigration"] = dest[kinds == "emigration"]
    dest_country[reason[left] == "cooperation_end"] = "CUB"
    exits: dict[str, list[object]] = {
        "worker": ids[left].tolist(),
        "kind": kinds.tolist(),
        "date": _dates(exit_day[left]),
        "origin_area": area[left].tolist(),
        "origin_country": [None] * left.size,
        "destination_area": [None] * left.size,
        "destination_country": dest_country.tolist(),
        "reason": reason[left].tolist(),
    }
    moved = np.flatnonzero(active & (rng.random(n) < 0.05))
    other = (state[moved] + rng.integers(1, len(states_codes), moved.size)) % len(states_codes)
    transfers: dict[str, list[object]] = {
        "worker": ids[moved].tolist(),
        "kind": ["transfer"] * moved.size,
        "date": _dates(start[moved]),
        "origin_area": np.array(states_codes, dtype=object)[other].tolist(),
        "origin_country": [None] * moved.size,
        "destination_area": area[moved].tolist(),
        "destination_country": [None] * moved.size,
        "reason": ["reassignment"] * moved.size,
    }
    out = {k: cols[k] + exits[k] + transfers[k] for k in cols}
    out["external_id"] = [f"M{i:08d}" for i in range(len(out["worker"]))]
    return out
