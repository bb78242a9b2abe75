"""The observatory's indicators: an NHWA-aligned catalogue computed with Ibis on any backend."""
