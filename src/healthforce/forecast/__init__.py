"""Planning: projections of supply and need, gaps, scenarios and uncertainty.

The engine takes plain arrays (:mod:`healthforce.forecast.spec`); a loader builds them from the
registry (:mod:`healthforce.forecast.loader`)."""
