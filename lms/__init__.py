"""Application factory of the recurrent-education backend."""

from flask import Flask


def create_app(config: object | None = None) -> Flask:
    """Build the app from a config object (default: environment variables)."""
    from lms.config import Config
    from lms.wiring import init_app

    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config or Config())
    init_app(app)
    return app
