"""Getting data in: public sources, the synthetic demo country, reference data."""
