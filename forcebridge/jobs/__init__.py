"""Scheduling: schedules, leases, the embedded loop and distributed workers."""
