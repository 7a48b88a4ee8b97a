"""Completion certificates (修了証): rendering, issuing and public verification."""
