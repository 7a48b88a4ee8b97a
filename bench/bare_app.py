"""The yardstick for bench_load.py: bare Flask JSON endpoints with no database, auth or validation.

GET /bare returns a page of 20 small objects (about the size of an enrolment page); PUT /bare parses the
JSON body and answers with a small object, as a progress update does. Run it under the same gunicorn
settings as the app: `gunicorn -w 2 -k gthread --threads 4 -b 127.0.0.1:8702 bench.bare_app:app`.
"""

from flask import Flask, jsonify, request

app = Flask(__name__)

PAGE = [{"id": f"00000000-0000-4000-8000-{n:012d}", "program_code": "GF-2026", "fiscal_year": 2026,
         "prefecture_code": "13", "status": "active"} for n in range(20)]


@app.get("/bare")
def bare_page():
    return jsonify(PAGE)


@app.put("/bare")
def bare_update():
    body = request.get_json()
    return jsonify({"status": body.get("status"), "minutes_spent": body.get("minutes_spent"), "done": False})
