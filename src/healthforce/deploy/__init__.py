"""Placement: optimal deployment of workers to posts, rotation plans, access to staffed care."""
