"""Geography every part of Healthforce shares: distances on the sphere (:mod:`.sphere`), shapes
(points inside an area, label points, simplified outlines: :mod:`.shapes`) and the boundary and
point files GDAL reads (:mod:`.files`). Nothing here knows about the registry."""
