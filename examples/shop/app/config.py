"""Application settings.

Secrets are read from the environment only, with no fallback values: a
missing secret must stop the app from starting, not silently run with a
default that ends up in git history.
"""
import os
from datetime import timedelta

SECRET_KEY = os.environ["SECRET_KEY"]
STRIPE_API_KEY = os.environ["STRIPE_API_KEY"]
# The publishable key is meant for the browser, but it is per-environment too.
STRIPE_PUBLISHABLE_KEY = os.environ["STRIPE_PUBLISHABLE_KEY"]

# Sessions expire after 15 minutes of inactivity (the session is refreshed
# on every request, so this acts as an idle timeout).
PERMANENT_SESSION_LIFETIME = timedelta(minutes=15)
SESSION_REFRESH_EACH_REQUEST = True

# Session cookie is HTTPS-only, hidden from JavaScript and not sent on
# cross-site subrequests.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# TLS is terminated at the load balancer; generated URLs must still be https.
PREFERRED_URL_SCHEME = "https"
