"""Shapes of areas: random points inside one, the point its figures are placed at, its size,
and the outline the web map draws."""

from __future__ import annotations

import json
import math

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from healthforce.geo.sphere import EARTH_KM

#: Outlines for the web are simplified to about this many degrees (some 500 m at the equator)
#: and their coordinates kept to 1e-5 degrees (about a metre).
WEB_TOLERANCE = 0.005
WEB_GRID = 1e-5


def points_in(geom: BaseGeometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` uniformly random (lat, lon) points inside a polygon (rejection sampling)."""
    minx, miny, maxx, maxy = geom.bounds
    shapely.prepare(geom)
    out = np.empty((0, 2))
    while len(out) < n:
        k = max(64, 2 * (n - len(out)))
        lon = rng.uniform(minx, maxx, k)
        lat = rng.uniform(miny, maxy, k)
        inside = shapely.contains_xy(geom, lon, lat)
        out = np.vstack([out, np.column_stack([lat[inside], lon[inside]])])
    return out[:n]


def label_point(geom: BaseGeometry) -> tuple[float, float]:
    """(lat, lon) of an area's centroid, or of a point surely inside it when the centroid falls
    outside (a crescent, an archipelago)."""
    point = geom.centroid
    if not geom.covers(point):
        point = geom.point_on_surface()
    return point.y, point.x


def area_km2(geom: BaseGeometry) -> float:
    """Approximate surface of a lon/lat polygon in km² (degrees scaled at its label latitude)."""
    lat, _lon = label_point(geom)
    return float(geom.area * (math.pi * EARTH_KM / 180) ** 2 * math.cos(math.radians(lat)))


def polygonal(geom: BaseGeometry | None) -> BaseGeometry | None:
    """The polygons of a geometry (a repaired outline may carry stray lines or points), as one
    polygon or multipolygon; None when it has none."""
    if geom is None or geom.is_empty:
        return None
    parts = [
        g
        for g in shapely.get_parts(geom)
        if g.geom_type in ("Polygon", "MultiPolygon") and not g.is_empty
    ]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return merged if merged.geom_type in ("Polygon", "MultiPolygon") else polygonal(merged)


def web_outline(geom: BaseGeometry, tolerance: float = WEB_TOLERANCE) -> str:
    """The GeoJSON outline the map draws: simplified (topology kept), on a metre grid."""
    small = shapely.simplify(geom, tolerance, preserve_topology=True)
    small = shapely.set_precision(small, WEB_GRID)
    kept = polygonal(small) or geom
    return json.dumps(json.loads(shapely.to_geojson(kept)), separators=(",", ":"))


def locate(
    outlines: list[BaseGeometry], lat: np.ndarray, lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each point: the index of the outline holding it (-1 for none), and for every point
    the nearest outline and its distance in km (0 inside)."""
    from healthforce.geo.sphere import haversine_km

    points = shapely.points(lon, lat)
    tree = shapely.STRtree(outlines)
    inside = np.full(len(points), -1)
    hit_point, hit_outline = tree.query(points, predicate="within")
    inside[hit_point[::-1]] = hit_outline[::-1]  # the first outline listed wins a tie
    nearest = inside.copy()
    km = np.zeros(len(points))
    out = np.flatnonzero(inside < 0)
    if out.size:
        pairs = tree.query_nearest(points[out], all_matches=False)
        nearest[out[pairs[0]]] = pairs[1]
        near = shapely.shortest_line(points[out[pairs[0]]], np.asarray(outlines)[pairs[1]])
        ends = shapely.get_coordinates(shapely.get_point(near, 1))
        km[out[pairs[0]]] = haversine_km(
            lat[out[pairs[0]]], lon[out[pairs[0]]], ends[:, 1], ends[:, 0]
        )
    return inside, nearest, km
