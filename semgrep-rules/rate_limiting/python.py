# Test target for semgrep-rules/rate_limiting/python.yml (parsed only, never run).
from django.utils.decorators import method_decorator
from django_ratelimit.decorators import ratelimit
from fastapi import Depends, FastAPI, Request
from fastapi_limiter import FastAPILimiter
from fastapi_limiter.depends import RateLimiter
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from rest_framework.decorators import api_view, throttle_classes
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView
from slowapi import Limiter as SlowLimiter
from slowapi.util import get_remote_address as slow_remote

# ================================================================ Flask

app = Flask(__name__)
# ruleid: vibeward.python.rate_limiting.flask-limiter
limiter = Limiter(get_remote_address, app=app, default_limits=["200 per day", "50 per hour"])


# ruleid: vibeward.python.rate_limiting.limit-decorator
@app.route("/login", methods=["POST"])
@limiter.limit("5/minute")
def login():
    return "ok"


# ruleid: vibeward.python.rate_limiting.limit-decorator
@auth_limiter.limit(lambda: current_app.config["LOGIN_RATE"])
@bp.route("/reset", methods=["POST"])
def reset():
    return "ok"


# ok: vibeward.python.rate_limiting.limit-decorator
@app.route("/items")
@paginate.limit(page_size)
def items():
    return []


# ruleid: vibeward.python.rate_limiting.limit-decorator
limiter.limit("60/hour")(api_blueprint)


class Config:
    # ruleid: vibeward.python.rate_limiting.flask-limiter
    RATELIMIT_DEFAULT = "100/hour"
    # ruleid: vibeward.python.rate_limiting.rate-limiting-disabled
    RATELIMIT_ENABLED = False
    # ok: vibeward.python.rate_limiting.rate-limiting-disabled
    RATELIMIT_HEADERS_ENABLED = False


# ================================================================ FastAPI

# ruleid: vibeward.python.rate_limiting.slowapi
slow = SlowLimiter(key_func=slow_remote)
api = FastAPI()
api.state.limiter = slow


# ruleid: vibeward.python.rate_limiting.limit-decorator
@api.post("/token")
@slow.limit("10/minute")
async def token(request: Request):
    return {}


@api.on_event("startup")
async def startup():
    # ruleid: vibeward.python.rate_limiting.fastapi-limiter
    await FastAPILimiter.init(redis_client)


# ruleid: vibeward.python.rate_limiting.fastapi-limiter
@api.get("/search", dependencies=[Depends(RateLimiter(times=2, seconds=5))])
async def search():
    return []


# ================================================================ Django

# ruleid: vibeward.python.rate_limiting.django-ratelimit
@ratelimit(key="ip", rate="5/m", method="POST", block=True)
def django_login(request):
    return HttpResponse()


# ruleid: vibeward.python.rate_limiting.django-ratelimit
@method_decorator(ratelimit(key="user", rate="10/h"), name="post")
class Contact(View):
    pass


INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    # ruleid: vibeward.python.rate_limiting.django-axes
    "axes",
    # ok: vibeward.python.rate_limiting.django-axes
    "taxes",
]

AUTHENTICATION_BACKENDS = [
    # ruleid: vibeward.python.rate_limiting.django-axes
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# ruleid: vibeward.python.rate_limiting.axes-failure-limit
AXES_FAILURE_LIMIT = 5

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    # ruleid: vibeward.python.rate_limiting.drf-throttling
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    # ruleid: vibeward.python.rate_limiting.drf-throttling
    "DEFAULT_THROTTLE_RATES": {"anon": "100/day", "user": "1000/day"},
    # ok: vibeward.python.rate_limiting.drf-throttling
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
}


class LoginView(APIView):
    # ruleid: vibeward.python.rate_limiting.drf-throttling
    throttle_classes = [AnonRateThrottle]
    # ok: vibeward.python.rate_limiting.drf-throttling
    permission_classes = []


# ruleid: vibeward.python.rate_limiting.drf-throttling
class BurstRateThrottle(UserRateThrottle):
    scope = "burst"


# ruleid: vibeward.python.rate_limiting.drf-throttling
@api_view(["POST"])
@throttle_classes([UserRateThrottle])
def drf_view(request):
    return Response()


# ================================================================ more near-misses
from flask_caching import Cache

# ok: vibeward.python.rate_limiting.flask-limiter
cache = Cache(app, config={"CACHE_TYPE": "SimpleCache"})
# ok: vibeward.python.rate_limiting.slowapi
api.add_middleware(GZipMiddleware, minimum_size=1000)


# ok: vibeward.python.rate_limiting.django-ratelimit
@cache_page(60 * 15)
def cached_view(request):
    return HttpResponse()


# ok: vibeward.python.rate_limiting.axes-failure-limit
AXES_COOLOFF_TIME = 1


# ok: vibeward.python.rate_limiting.fastapi-limiter
@api.get("/open", dependencies=[Depends(get_db)])
async def open_endpoint():
    return []
