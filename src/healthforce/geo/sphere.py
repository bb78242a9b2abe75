"""Distances on the Earth's surface (a sphere of the IUGG mean radius)."""

from __future__ import annotations

import numpy as np

EARTH_KM = 6371.0088


def haversine_km(
    lat1: np.ndarray | float,
    lon1: np.ndarray | float,
    lat2: np.ndarray | float,
    lon2: np.ndarray | float,
) -> np.ndarray:
    """Great-circle distance in km (vectorised)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1))))


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points as unit vectors in 3-D, so that a k-d tree finds neighbours by chord length."""
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def chord(km: np.ndarray | float) -> np.ndarray:
    """Straight-line distance between unit vectors ``km`` apart on the Earth's surface."""
    return np.asarray(2 * np.sin(np.clip(km, 0, np.pi * EARTH_KM) / (2 * EARTH_KM)))
