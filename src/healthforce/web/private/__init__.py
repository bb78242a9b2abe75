"""The private side: sign-in, roles scoped by area, records, imports, scenarios, bookings."""
