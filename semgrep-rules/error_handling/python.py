# Test target for semgrep-rules/error_handling/python.yml (parsed only, never run).
import traceback

import sentry_sdk
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from flask import Flask, jsonify

app = Flask(__name__)

# ================================================================ Flask


# ruleid: vibeward.python.error_handling.flask-errorhandler
@app.errorhandler(500)
def server_error(e):
    return jsonify(error="internal server error"), 500


# ruleid: vibeward.python.error_handling.flask-errorhandler
@app.errorhandler(Exception)
def unhandled(e):
    app.logger.exception("unhandled error")
    return jsonify(error="internal server error"), 500


# ok: vibeward.python.error_handling.flask-errorhandler
@app.errorhandler(404)
def not_found(e):
    return jsonify(error="not found"), 404


@app.route("/pay", methods=["POST"])
def pay():
    try:
        charge()
    except Exception as e:
        # ruleid: vibeward.python.error_handling.exception-detail-in-response
        return jsonify(error=str(e)), 500
    try:
        parse()
    except ValueError as e:
        # ok: vibeward.python.error_handling.exception-detail-in-response
        return jsonify(error=str(e)), 400
    try:
        refund()
    except Exception:
        # ruleid: vibeward.python.error_handling.exception-detail-in-response
        return traceback.format_exc(), 500
    return "ok"


# ruleid: vibeward.python.error_handling.sentry
sentry_sdk.init(dsn=SENTRY_DSN, traces_sample_rate=0.1)

# ================================================================ Django settings / urls

# ruleid: vibeward.python.error_handling.debug-enabled
DEBUG = True


class DevelopmentConfig:
    # ok: vibeward.python.error_handling.debug-enabled
    DEBUG = True


# ok: vibeward.python.error_handling.debug-enabled
DEBUG = False

# ruleid: vibeward.python.error_handling.django-error-handler
handler500 = "shop.views.server_error"
# ok: vibeward.python.error_handling.django-error-handler
handler = "shop.views.other"

# ================================================================ FastAPI

api = FastAPI()


# ruleid: vibeward.python.error_handling.fastapi-exception-handler
@api.exception_handler(Exception)
async def unhandled_exception(request: Request, exc: Exception):
    return JSONResponse(status_code=500, content={"detail": "internal server error"})


@api.get("/orders/{oid}")
async def order(oid: int):
    try:
        return load(oid)
    except Exception as exc:
        # ruleid: vibeward.python.error_handling.exception-detail-in-response
        raise HTTPException(status_code=500, detail=str(exc))


if __name__ == "__main__":
    # ruleid: vibeward.python.error_handling.debug-enabled
    app.run(host="0.0.0.0", debug=True)
    # ok: vibeward.python.error_handling.debug-enabled
    app.run(host="0.0.0.0", debug=False)
