"""Scheduled reports: report types, schedules, runs and their artifacts."""
