"""Enrolments in programmes and their life cycle."""
