"""The observatory's indicators: an NHWA-aligned catalogue computed with Ibis on any backend.
The store keeps their summaries current at every change
(:data:`healthforce.store.upkeep.DEFAULT_UPKEEP` names :func:`summary.keep_current`)."""
