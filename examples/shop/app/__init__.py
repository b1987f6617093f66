"""Flask application factory for the example shop."""
import os

import stripe
from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

csrf = CSRFProtect()


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)

    # Imported here so that a missing secret fails at start-up, not at import
    # time of unrelated tooling (e.g. `flask --help`).
    from . import config as settings

    app.config.from_object(settings)
    app.config["DATABASE"] = os.path.join(app.instance_path, "shop.sqlite3")
    if test_config is not None:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    # Behind one proxy (the TLS-terminating load balancer): trust its
    # X-Forwarded-For / -Proto so remote_addr and url schemes are correct.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    # CSRF protection for every POST form (templates render csrf_token()).
    csrf.init_app(app)

    stripe.api_key = app.config["STRIPE_API_KEY"]

    from . import audit, auth, checkout, db, orders

    db.init_app(app)
    audit.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(checkout.bp)
    app.register_blueprint(orders.bp)

    return app
