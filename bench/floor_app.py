"""The app as bench_load.py serves it: the real app plus one endpoint that only authenticates.

GET /bench/floor checks the bearer token (the one query every authenticated request makes) and answers a
small JSON object, so its rate is the ceiling of any authenticated endpoint on this machine, measured next
to the bare endpoint in the same run. Every other route is the app's own.
"""

from lms import create_app
from lms.auth.permissions import auth_required

app = create_app()


@app.get("/bench/floor")
@auth_required()
def floor():
    return {"ok": True}
