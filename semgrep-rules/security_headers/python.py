# Test target for semgrep-rules/security_headers/python.yml (parsed only, never run).
from flask import Flask
from flask_talisman import Talisman
import secure

app = Flask(__name__)

# ================================================================ Flask

# ok: vibeward.python.security_headers.talisman-hsts-default
# ruleid: vibeward.python.security_headers.flask-talisman, vibeward.python.security_headers.hsts-max-age-seconds
Talisman(app, force_https=True, strict_transport_security_max_age=31536000)

# ok: vibeward.python.security_headers.flask-talisman
# ruleid: vibeward.python.security_headers.talisman-header-disabled, vibeward.python.security_headers.talisman-hsts-default
talisman = Talisman(app, content_security_policy=None)

# ok: vibeward.python.security_headers.talisman-hsts-default
# ruleid: vibeward.python.security_headers.flask-talisman
talisman2 = Talisman()


def create_app():
    # ruleid: vibeward.python.security_headers.flask-talisman
    talisman2.init_app(app, frame_options="DENY")
    # ok: vibeward.python.security_headers.flask-talisman
    db.init_app(app)


@app.after_request
def set_headers(response):
    # ruleid: vibeward.python.security_headers.security-header-set
    response.headers["Content-Security-Policy"] = "default-src 'self'"
    # ruleid: vibeward.python.security_headers.security-header-set
    response.headers["X-Content-Type-Options"] = "nosniff"
    # ruleid: vibeward.python.security_headers.hsts-max-age-seconds
    response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    # ok: vibeward.python.security_headers.security-header-set
    response.headers["Cache-Control"] = "no-store"
    return response


# ruleid: vibeward.python.security_headers.secure-package
secure_headers = secure.Secure.with_default_headers()

# ================================================================ Django settings

MIDDLEWARE = [
    # ruleid: vibeward.python.security_headers.django-security-middleware
    "django.middleware.security.SecurityMiddleware",
    # ok: vibeward.python.security_headers.django-security-middleware
    "django.contrib.sessions.middleware.SessionMiddleware",
]

# ruleid: vibeward.python.security_headers.hsts-max-age-seconds
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
# ruleid: vibeward.python.security_headers.django-header-setting
SECURE_CONTENT_TYPE_NOSNIFF = True
# ruleid: vibeward.python.security_headers.django-header-setting
X_FRAME_OPTIONS = "DENY"
# ruleid: vibeward.python.security_headers.django-header-setting
CSP_DEFAULT_SRC = ("'self'",)
# ok: vibeward.python.security_headers.django-header-setting
SECURE_SSL_REDIRECT = True


class Dev:
    # ok: vibeward.python.security_headers.hsts-max-age-seconds
    # ruleid: vibeward.python.security_headers.hsts-max-age-zero
    SECURE_HSTS_SECONDS = 0
    # ok: vibeward.python.security_headers.django-header-setting
    # ruleid: vibeward.python.security_headers.frame-options-allowall
    X_FRAME_OPTIONS = "ALLOWALL"
    # ok: vibeward.python.security_headers.hsts-max-age-seconds
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS", "0"))
