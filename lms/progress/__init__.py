"""Progress: module progress (REST and xAPI), OJT hour logs with supervisor review, completion."""
