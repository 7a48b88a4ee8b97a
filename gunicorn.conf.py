"""gunicorn settings for the API; gunicorn reads ./gunicorn.conf.py, and command-line flags override it.

Threads keep a worker serving while another request waits on PostgreSQL. Each request makes a few short
round trips to the database, and after each one its thread needs the interpreter back: with Python's
default 5 ms switch interval it waits for a busy thread's whole slice every time. A 0.5 ms interval gave
about twice the throughput of GET /api/v1/enrollments on two cores (bench/bench_load.py, see
docs/operations.md).
"""

import sys

worker_class = "gthread"
threads = 4
SWITCH_INTERVAL_SECONDS = 0.0005


def post_fork(server, worker):
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
