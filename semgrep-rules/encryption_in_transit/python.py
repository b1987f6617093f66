# Test target for semgrep-rules/encryption_in_transit/python.yml (parsed only, never run).
import ssl

import aiohttp
import httpx
import requests
import uvicorn
from flask import Flask
from flask_talisman import Talisman

app = Flask(__name__)

# ================================================================ settings

# ruleid: vibeward.python.encryption_in_transit.https-redirect
SECURE_SSL_REDIRECT = True
# ruleid: vibeward.python.encryption_in_transit.secure-cookie
SESSION_COOKIE_SECURE = True
# ruleid: vibeward.python.encryption_in_transit.secure-cookie
CSRF_COOKIE_SECURE = True
# ok: vibeward.python.encryption_in_transit.secure-cookie
SESSION_COOKIE_HTTPONLY = True
# ruleid: vibeward.python.encryption_in_transit.secure-cookie
app.config["SESSION_COOKIE_SECURE"] = True


class DevConfig:
    # ok: vibeward.python.encryption_in_transit.secure-cookie
    # ruleid: vibeward.python.encryption_in_transit.cookie-not-secure
    SESSION_COOKIE_SECURE = False


# ruleid: vibeward.python.encryption_in_transit.https-redirect
Talisman(app, force_https=True)
# ok: vibeward.python.encryption_in_transit.https-redirect
Talisman(app, force_https=False)

# ================================================================ TLS contexts


def client_context():
    # ruleid: vibeward.python.encryption_in_transit.ssl-default-context
    ctx = ssl.create_default_context(cafile=CA_BUNDLE)
    # ruleid: vibeward.python.encryption_in_transit.tls-min-version
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    # ruleid: vibeward.python.encryption_in_transit.https-server
    ctx.load_cert_chain("cert.pem", "key.pem")
    return ctx


def legacy_context():
    # ruleid: vibeward.python.encryption_in_transit.tls-verification-disabled
    ctx = ssl._create_unverified_context()
    # ruleid: vibeward.python.encryption_in_transit.tls-verification-disabled
    ctx.check_hostname = False
    # ruleid: vibeward.python.encryption_in_transit.tls-verification-disabled
    ctx.verify_mode = ssl.CERT_NONE
    # ok: vibeward.python.encryption_in_transit.tls-verification-disabled
    ctx.verify_mode = ssl.CERT_REQUIRED
    # ok: vibeward.python.encryption_in_transit.tls-min-version
    # ruleid: vibeward.python.encryption_in_transit.weak-tls-version
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    # ruleid: vibeward.python.encryption_in_transit.weak-tls-version
    old = ssl.SSLContext(ssl.PROTOCOL_TLSv1_1)
    # ok: vibeward.python.encryption_in_transit.weak-tls-version
    new = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return ctx, old, new


# ================================================================ HTTP clients


def call_api(url, session):
    # ruleid: vibeward.python.encryption_in_transit.tls-verification-disabled
    requests.post(url, json={}, verify=False)
    # ok: vibeward.python.encryption_in_transit.tls-verification-disabled
    requests.post(url, json={}, verify=CA_BUNDLE)
    # ruleid: vibeward.python.encryption_in_transit.tls-verification-disabled
    session.get(url, verify=False)
    # ruleid: vibeward.python.encryption_in_transit.tls-verification-disabled
    client = httpx.Client(verify=False)
    # ruleid: vibeward.python.encryption_in_transit.tls-verification-disabled
    conn = aiohttp.TCPConnector(ssl=False)
    # ok: vibeward.python.encryption_in_transit.tls-verification-disabled
    claims = jwt.decode(token, verify=False)
    return client, conn, claims


if __name__ == "__main__":
    # ruleid: vibeward.python.encryption_in_transit.https-server
    uvicorn.run("main:app", host="0.0.0.0", port=443, ssl_keyfile="key.pem", ssl_certfile="cert.pem")
    # ok: vibeward.python.encryption_in_transit.https-server
    uvicorn.run("main:app", host="0.0.0.0", port=8000)
