"""Liveness and database reachability, and the offline API docs assets."""

from flask import Blueprint, jsonify, send_from_directory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from swagger_ui_bundle import swagger_ui_path

from lms.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        db.session.rollback()
        database = "unreachable"
    status = 200 if database == "ok" else 503
    return jsonify({"status": "ok" if status == 200 else "degraded", "database": database}), status


@bp.get("/api/v1/docs/assets/<path:filename>")
def docs_assets(filename: str):
    """Swagger UI served from the installed package, so the docs work with no internet."""
    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)
