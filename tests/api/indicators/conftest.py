"""The statistics factories (enrolments, sites, placements, hour logs, officials) for indicators."""

from tests.api.stats.conftest import enrol, log_hours, many, official, place, site  # noqa: F401
