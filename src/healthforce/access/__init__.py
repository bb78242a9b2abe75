"""Specialist access: schedules, slots, referrals and appointment booking."""
