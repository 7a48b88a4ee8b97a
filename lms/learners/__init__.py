"""Learner profiles: registration, self-service, export and erasure."""
