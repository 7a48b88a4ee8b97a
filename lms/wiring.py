"""Wiring of extensions, blueprints, handlers and CLI into an app."""

from flask import Flask

from lms import events
from lms.errors import register_error_handlers
from lms.extensions import db, migrate
from lms.hooks import EXTENSION_KEY, DomainHooks
from lms.http import Api
from lms.sqlite import configure_engine

BLUEPRINTS = [
    "lms.reference.api",
    "lms.auth.api",
    "lms.audit.api",
    "lms.programs.api",
    "lms.learners.api",
    "lms.enrollments.api",
    "lms.stats.api",
    "lms.progress.api",
    "lms.ojt.api",
    "lms.certificates.api",
    "lms.reports.api",
    "lms.indicators.api",
    "lms.xapi.api",
    "lms.xapi.meta_api",
    "lms.xapi.document_api",
    "lms.cmi5.api",
]


def init_app(app: Flask) -> None:
    _import_models()
    _ensure_sqlite_folder(app.config["SQLALCHEMY_DATABASE_URI"])
    from lms.http import IdConverter, id_param_schema

    app.url_map.converters["id"] = IdConverter
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(_root() / "migrations"))
    api = Api(app, spec_kwargs={
        "info": {"description": "Recurrent education for physicians (医師のリカレント教育): "
                                "learners, enrolments, progress, OJT, statistics, reports and certificates. "
                                "Every operation refuses a query parameter it does not declare (422), "
                                "400 on the xAPI resources as xAPI 1.0.3 requires, "
                                "once the caller is authenticated."},
    })
    api.register_converter(IdConverter, id_param_schema)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    # the LRS (/api/v1/xapi/): an LRS client's key and secret, or a cmi5 session token
    api.spec.components.security_scheme("basicAuth", {"type": "http", "scheme": "basic"})
    import importlib

    for name in BLUEPRINTS:
        api.register_blueprint(importlib.import_module(name).blp, url_prefix="/api/v1")
    from lms.certificates.api import verify_blp

    api.register_blueprint(verify_blp)
    from lms.public.api import blp as public_blp

    api.register_blueprint(public_blp)
    from lms.cmi5.api import content_bp as cmi5_content_bp
    from lms.health import bp as health_bp

    app.register_blueprint(cmi5_content_bp)

    app.register_blueprint(health_bp)
    register_error_handlers(app)
    _wire_domains(app)
    from lms.xapi.http import init_xapi_http

    init_xapi_http(app)  # before lms.security: a preflight is answered first, its CORS headers have the last word
    from lms.security import init_security

    init_security(app)
    if app.config.get("TRUSTED_PROXIES"):
        # client addresses (rate limits, audit records) and the scheme come from the proxies' headers
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    from lms.cli import register_cli

    register_cli(app)


def _wire_domains(app: Flask) -> None:
    """Every cross-domain reaction, declared here and nowhere else: what a lower domain asks of higher ones
    (hooks) and who reacts to a domain event. Nothing depends on which module was imported first."""
    from lms.certificates import service as certificates
    from lms.cmi5 import service as cmi5
    from lms.enrollments import service as enrollments
    from lms.ojt import placements, rounds
    from lms.progress import export as progress_export
    from lms.xapi import clients as xapi_clients
    from lms.xapi import documents as xapi_documents
    from lms.xapi import statements as lrs_statements

    app.extensions[EXTENSION_KEY] = DomainHooks(
        supervisor_scopes=(placements.supervised_enrollments,),
        export_sections={"enrollments": enrollments.learner_records, "placements": placements.learner_records,
                         "matching_preferences": rounds.learner_records, **progress_export.SECTIONS,
                         "certificates": certificates.learner_records,
                         "lrs_statements": lrs_statements.learner_records,
                         "xapi_documents": xapi_documents.export_documents},
        erasure_steps=(certificates.erase_holder, lrs_statements.erase_learner,
                       xapi_clients.erase_session_tokens, xapi_documents.erase_documents),
        statement_checks=(cmi5.check_statements,),
        content_checks=(cmi5.check_content,),
    )
    # blinker keeps one connection per receiver, so a second app in one process adds nothing
    events.enrollment_completed.connect(certificates.allocate_on_completion, weak=False)
    events.statements_stored.connect(cmi5.on_statements_stored, weak=False)


def _ensure_sqlite_folder(url: str) -> None:
    """The embedded default lives in the instance folder, which a fresh checkout does not have."""
    from pathlib import Path

    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def _import_models() -> None:
    """Import every models module so metadata (and Alembic) sees all tables."""
    import lms.audit.models  # noqa: F401
    import lms.auth.models  # noqa: F401
    import lms.certificates.models  # noqa: F401
    import lms.cmi5.models  # noqa: F401
    import lms.enrollments.models  # noqa: F401
    import lms.idempotency  # noqa: F401
    import lms.indicators.models  # noqa: F401
    import lms.learners.models  # noqa: F401
    import lms.ojt.models  # noqa: F401
    import lms.programs.models  # noqa: F401
    import lms.progress.models  # noqa: F401
    import lms.ratelimit  # noqa: F401
    import lms.reference.models  # noqa: F401
    import lms.reports.models  # noqa: F401
    import lms.xapi.activities  # noqa: F401
    import lms.xapi.clients  # noqa: F401
    import lms.xapi.document_models  # noqa: F401
    import lms.xapi.models  # noqa: F401


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent
