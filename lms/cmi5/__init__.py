"""cmi5, the LMS side: course structures, launching assignable units, sessions and their statement rules."""
