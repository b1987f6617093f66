# Test target for semgrep-rules/session_timeout/python.yml (parsed only, never run).
from datetime import datetime, timedelta, timezone

import jwt
from flask import Flask
from flask_jwt_extended import create_access_token
from starlette.middleware.sessions import SessionMiddleware

# ================================================================ Flask

app = Flask(__name__)
# ruleid: vibeward.python.session_timeout.lifetime-timedelta
app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=30)
# ruleid: vibeward.python.session_timeout.lifetime-timedelta
app.permanent_session_lifetime = timedelta(hours=1)
# ok: vibeward.python.session_timeout.lifetime-timedelta
app.config["SEND_FILE_MAX_AGE_DEFAULT"] = timedelta(hours=12)


class Config:
    # ruleid: vibeward.python.session_timeout.lifetime-timedelta
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=15)
    # ruleid: vibeward.python.session_timeout.lifetime-timedelta
    REMEMBER_COOKIE_DURATION = timedelta(days=7)
    # ruleid: vibeward.python.session_timeout.lifetime-timedelta
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)
    # ok: vibeward.python.session_timeout.lifetime-seconds
    PERMANENT_SESSION_LIFETIME = None
    # ok: vibeward.python.session_timeout.lifetime-seconds
    SESSION_COOKIE_NAME = "sid"


def issue_flask_token(user):
    # ruleid: vibeward.python.session_timeout.jwt-exp-claim
    return create_access_token(identity=user.id, expires_delta=timedelta(minutes=10))


# ================================================================ Django

# ruleid: vibeward.python.session_timeout.lifetime-seconds
SESSION_COOKIE_AGE = 60 * 30
# ruleid: vibeward.python.session_timeout.lifetime-timedelta
SESSION_COOKIE_AGE = int(timedelta(days=2).total_seconds())
# ruleid: vibeward.python.session_timeout.expire-at-browser-close
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# ok: vibeward.python.session_timeout.expire-at-browser-close
SESSION_SAVE_EVERY_REQUEST = True

SIMPLE_JWT = {
    # ruleid: vibeward.python.session_timeout.lifetime-timedelta
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    # ruleid: vibeward.python.session_timeout.lifetime-timedelta
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    # ok: vibeward.python.session_timeout.lifetime-timedelta
    "ROTATE_REFRESH_TOKENS": True,
}

# ================================================================ FastAPI

# ruleid: vibeward.python.session_timeout.token-expire-minutes
ACCESS_TOKEN_EXPIRE_MINUTES = 30
# ok: vibeward.python.session_timeout.token-expire-minutes
ALGORITHM = "HS256"

# ruleid: vibeward.python.session_timeout.starlette-session-max-age
api.add_middleware(SessionMiddleware, secret_key=settings.SECRET_KEY, max_age=1800)


def create_access_token_fastapi(data: dict, expires_delta: timedelta | None = None):
    to_encode = data.copy()
    expire = datetime.now(timezone.utc) + (expires_delta or timedelta(minutes=15))
    # ruleid: vibeward.python.session_timeout.jwt-exp-claim
    to_encode.update({"exp": expire})
    encoded_jwt = jwt.encode(to_encode, SECRET_KEY, algorithm=ALGORITHM)
    return encoded_jwt


def create_token_dict(user_id):
    # ruleid: vibeward.python.session_timeout.jwt-exp-claim
    payload = {"sub": str(user_id), "exp": datetime.utcnow() + timedelta(hours=1)}
    return jwt.encode(payload, SECRET_KEY, algorithm="HS256")


def create_token_inline(user_id):
    # ruleid: vibeward.python.session_timeout.jwt-exp-claim
    return jwt.encode({"sub": user_id, "exp": datetime.utcnow() + timedelta(hours=1)}, SECRET_KEY)


def create_token_no_exp(user_id):
    # ok: vibeward.python.session_timeout.jwt-exp-claim
    return jwt.encode({"sub": user_id}, SECRET_KEY)


def game_stats(player):
    stats = {}
    # ok: vibeward.python.session_timeout.jwt-exp-claim
    stats["exp"] = player.experience
    return stats


# ================================================================ violations

# ruleid: vibeward.python.session_timeout.token-never-expires
app.config["JWT_ACCESS_TOKEN_EXPIRES"] = False


def decode_forever(token):
    # ruleid: vibeward.python.session_timeout.token-never-expires
    return jwt.decode(token, SECRET_KEY, algorithms=["HS256"], options={"verify_exp": False})


# ================================================================ more near-misses

# ok: vibeward.python.session_timeout.starlette-session-max-age
api.add_middleware(SessionMiddleware, secret_key=settings.SECRET_KEY)


def decode_ok(token):
    # ok: vibeward.python.session_timeout.token-never-expires
    return jwt.decode(token, SECRET_KEY, algorithms=["HS256"], options={"require": ["exp"]})
