"""The demo's service network: facilities placed inside the real state polygons, team norms, and
the establishment of posts.

Counts per 100,000 workers follow Barrio Adentro's orders of magnitude (thousands of primary care
centres, hundreds of diagnostic centres and hospitals) and scale with the number of workers.
Posts come from the team norms (the structure), WHO's doctor/nurse counts (the mix) and the
requested size (the scale): primary care keeps exactly its norm; larger facilities absorb the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from healthforce.geo.shapes import points_in
from healthforce.ingest.demo.geography import State
from healthforce.reference.occupations import occupations

#: facility type -> (count per 100,000 workers, level of care, code prefix, size spread)
FACILITY_TYPES: dict[str, tuple[int, str, str, float]] = {
    "primary_care_centre": (7000, "1", "CPC", 0.0),
    "health_post": (800, "1", "PS", 0.0),
    "rehabilitation_centre": (580, "1", "SRI", 0.0),
    "diagnostic_centre": (570, "2", "CDI", 0.3),
    "specialist_centre": (35, "2", "CAE", 0.3),
    "general_hospital": (230, "2", "HG", 0.5),
    "specialised_hospital": (60, "3", "HE", 0.5),
    "teaching_hospital": (20, "3", "HU", 0.4),
}

#: The interprofessional team of each facility type (headcount by ISCO-08 occupation).
TEAM_NORMS: dict[str, dict[str, int]] = {
    "primary_care_centre": {"2211": 1, "3221": 1, "3253": 1},
    "health_post": {"3221": 1, "3253": 1},
    "rehabilitation_centre": {"2211": 1, "2264": 2},
    "diagnostic_centre": {
        "2211": 4,
        "2212": 4,
        "2221": 4,
        "3221": 6,
        "3212": 2,
        "3211": 2,
        "2262": 1,
    },
    "specialist_centre": {"2212": 6, "2221": 2, "3221": 2, "3212": 1},
    "general_hospital": {
        "2211": 15,
        "2212": 25,
        "2221": 40,
        "3221": 60,
        "5321": 20,
        "3212": 8,
        "3211": 6,
        "2262": 2,
        "2261": 2,
        "2222": 4,
    },
    "specialised_hospital": {
        "2211": 8,
        "2212": 30,
        "2221": 40,
        "3221": 50,
        "5321": 15,
        "3212": 6,
        "3211": 6,
        "2262": 2,
        "2222": 2,
    },
    "teaching_hospital": {
        "2211": 25,
        "2212": 60,
        "2221": 80,
        "3221": 100,
        "5321": 30,
        "3212": 12,
        "3211": 10,
        "2262": 4,
        "2261": 4,
        "2222": 6,
    },
}
FUNDED_SHARE = 0.93
FILL_RATE = 0.88  # share of funded posts with a worker on the reference date


@dataclass
class Network:
    types: list[str]
    occupations: list[str]
    code: list[str]
    type_idx: np.ndarray
    state_idx: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    ownership: np.ndarray
    post_facility: np.ndarray
    post_occupation: np.ndarray
    post_funded: np.ndarray

    def __len__(self) -> int:
        return len(self.code)


def build_network(
    states: list[State], workers: int, doctor_share: float, rng: np.random.Generator
) -> Network:
    types = list(FACILITY_TYPES)
    occs = sorted({o for norm in TEAM_NORMS.values() for o in norm})
    scale = workers / 100_000
    shares = np.array([s.share for s in states])
    type_idx_parts, state_parts, lat_parts, lon_parts = [], [], [], []
    for t, (per100k, _level, _prefix, _spread) in enumerate(FACILITY_TYPES.values()):
        n = max(1, round(per100k * scale))
        per_state = rng.multinomial(n, shares)
        for s, k in enumerate(per_state):
            if k == 0:
                continue
            pts = points_in(states[s].geometry, int(k), rng)
            type_idx_parts.append(np.full(k, t))
            state_parts.append(np.full(k, s))
            lat_parts.append(pts[:, 0])
            lon_parts.append(pts[:, 1])
    type_idx = np.concatenate(type_idx_parts)
    state_idx = np.concatenate(state_parts)
    lat, lon = np.concatenate(lat_parts).round(6), np.concatenate(lon_parts).round(6)
    codes, counters = [], dict.fromkeys(range(len(states) * len(types)), 0)
    prefixes = [v[2] for v in FACILITY_TYPES.values()]
    for t, s in zip(type_idx.tolist(), state_idx.tolist(), strict=True):
        key = s * len(types) + t
        counters[key] += 1
        codes.append(f"{states[s].code}-{prefixes[t]}-{counters[key]:05d}")
    level = np.array([FACILITY_TYPES[types[t]][1] for t in type_idx])
    ownership = np.where(
        level == "1",
        "public",
        rng.choice(
            np.array(["public", "private_fp", "private_nfp"]), len(type_idx), p=[0.85, 0.12, 0.03]
        ),
    )
    posts = _posts(types, occs, type_idx, level, workers, doctor_share, rng)
    post_facility = np.repeat(np.arange(len(type_idx)), posts.sum(axis=1))
    post_occupation = np.concatenate([np.repeat(np.arange(len(occs)), row) for row in posts])
    funded = rng.random(len(post_facility)) < FUNDED_SHARE
    return Network(
        types,
        occs,
        codes,
        type_idx,
        state_idx,
        lat,
        lon,
        ownership,
        post_facility,
        post_occupation,
        funded,
    )


def _posts(
    types: list[str],
    occs: list[str],
    type_idx: np.ndarray,
    level: np.ndarray,
    workers: int,
    doctor_share: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Posts per facility x occupation (integer matrix)."""
    norm = np.array([[TEAM_NORMS[t].get(o, 0) for o in occs] for t in types], dtype=float)
    spread = np.array([FACILITY_TYPES[t][3] for t in types])[type_idx]
    size = rng.lognormal(-(spread**2) / 2, spread)
    expected = norm[type_idx] * size[:, None]
    primary = level == "1"
    groups = np.array([occupations()[o].group for o in occs])
    doctors, nurses = groups == "medical_doctors", groups == "nursing"
    # The mix: scale nursing posts outside primary care so doctors' share matches WHO's.
    d_total = expected[:, doctors].sum()
    n_primary = expected[primary][:, nurses].sum()
    n_other = expected[~primary][:, nurses].sum()
    wanted_n = d_total * (1 - doctor_share) / doctor_share
    k = max(0.2, (wanted_n - n_primary) / n_other) if n_other else 1.0
    expected[np.ix_(~primary, nurses)] *= k
    # The scale: outside primary care, posts grow or shrink to the requested size.
    target = workers / FILL_RATE / FUNDED_SHARE
    fixed, flexible = expected[primary].sum(), expected[~primary].sum()
    if target > fixed:
        expected[~primary] *= (target - fixed) / flexible
    else:
        expected *= target / (fixed + flexible)
    whole = np.floor(expected)
    posts: np.ndarray = (whole + (rng.random(expected.shape) < expected - whole)).astype(np.int64)
    return posts
