# Test target for semgrep-rules/csrf_protection/python.yml (parsed only, never run).
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from flask import Flask, request
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from wtforms import PasswordField, StringField

# ================================================================ Flask

app = Flask(__name__)
# ruleid: vibeward.python.csrf_protection.flask-wtf-csrfprotect
csrf = CSRFProtect(app)


def create_app():
    application = Flask(__name__)
    # ruleid: vibeward.python.csrf_protection.flask-wtf-csrfprotect
    csrf.init_app(application)
    # ok: vibeward.python.csrf_protection.flask-wtf-csrfprotect
    db.init_app(application)
    return application


# ruleid: vibeward.python.csrf_protection.flask-wtf-form
class LoginForm(FlaskForm):
    username = StringField("Username")
    password = PasswordField("Password")


# ok: vibeward.python.csrf_protection.flask-wtf-form
class SearchSchema(Schema):
    q = fields.Str()


# ruleid: vibeward.python.csrf_protection.samesite-cookie
app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
# ok: vibeward.python.csrf_protection.samesite-cookie
app.config["SESSION_COOKIE_SAMESITE"] = "None"

# ruleid: vibeward.python.csrf_protection.wtf-csrf-disabled
app.config["WTF_CSRF_ENABLED"] = False
# ok: vibeward.python.csrf_protection.wtf-csrf-disabled
app.config["WTF_CSRF_ENABLED"] = True


class Config:
    # ruleid: vibeward.python.csrf_protection.wtf-csrf-disabled
    WTF_CSRF_ENABLED = False
    # ruleid: vibeward.python.csrf_protection.samesite-cookie
    SESSION_COOKIE_SAMESITE = "Strict"


# ok: vibeward.python.csrf_protection.flask-wtf-form
# ruleid: vibeward.python.csrf_protection.flask-wtf-form-csrf-disabled
class ApiForm(FlaskForm):
    name = StringField("Name")

    class Meta:
        csrf = False


# ruleid: vibeward.python.csrf_protection.csrf-exempt-state-changing-view
@app.route("/webhook", methods=["POST"])
@csrf.exempt
def webhook():
    return "", 204


# ruleid: vibeward.python.csrf_protection.csrf-exempt-state-changing-view
@csrf.exempt
@app.post("/api/items")
def create_item():
    return {}, 201


# ok: vibeward.python.csrf_protection.csrf-exempt-state-changing-view
@app.route("/health")
@csrf.exempt
def health():
    return "ok"


# ================================================================ Django

# ruleid: vibeward.python.csrf_protection.samesite-cookie
CSRF_COOKIE_SAMESITE = "Strict"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ruleid: vibeward.python.csrf_protection.django-csrf-middleware
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

# ok: vibeward.python.csrf_protection.django-csrf-middleware
CSRF_MIDDLEWARE_PATH = "django.middleware.csrf.CsrfViewMiddleware"


# ruleid: vibeward.python.csrf_protection.django-csrf-protect-decorator
@csrf_protect
def update_profile(request):
    return render(request, "profile.html")


# ruleid: vibeward.python.csrf_protection.csrf-exempt-state-changing-view
@csrf_exempt
@require_POST
def stripe_webhook(request):
    return HttpResponse(status=200)


# ruleid: vibeward.python.csrf_protection.csrf-exempt-state-changing-view
@csrf_exempt
def api_login(request):
    if request.method == "POST":
        data = json.loads(request.body)
        return JsonResponse({"ok": True})
    return JsonResponse({}, status=405)


# ruleid: vibeward.python.csrf_protection.csrf-exempt-state-changing-view
@require_http_methods(["GET", "DELETE"])
@csrf_exempt
def delete_item(request, pk):
    return JsonResponse({})


# ok: vibeward.python.csrf_protection.csrf-exempt-state-changing-view
@csrf_exempt
def ping(request):
    return JsonResponse({"pong": True})


# ok: vibeward.python.csrf_protection.csrf-exempt-state-changing-view
@csrf_exempt
@require_http_methods(["GET"])
def feed(request):
    return JsonResponse({"items": []})


# ruleid: vibeward.python.csrf_protection.csrf-exempt-state-changing-view
@method_decorator(csrf_exempt, name="dispatch")
class PaymentCallbackView(View):
    def post(self, request):
        return HttpResponse("ok")


# ok: vibeward.python.csrf_protection.csrf-exempt-state-changing-view
@method_decorator(csrf_exempt, name="dispatch")
class StatusView(View):
    def get(self, request):
        return HttpResponse("ok")


# ================================================================ more near-misses

# ok: vibeward.python.csrf_protection.django-csrf-protect-decorator
@login_required
def dashboard(request):
    return render(request, "dashboard.html")


# ok: vibeward.python.csrf_protection.flask-wtf-form-csrf-disabled
# ruleid: vibeward.python.csrf_protection.flask-wtf-form
class ProfileForm(FlaskForm):
    bio = StringField("Bio")

    class Meta:
        locales = ["en_US"]


# ---- FastAPI / Starlette
from fastapi_csrf_protect import CsrfProtect
from starlette_csrf import CSRFMiddleware


# ruleid: vibeward.python.csrf_protection.fastapi-csrf
@CsrfProtect.load_config
def get_csrf_config():
    return CsrfSettings()


# ruleid: vibeward.python.csrf_protection.fastapi-csrf
api.add_middleware(CSRFMiddleware, secret="__CHANGE_ME__")
# ok: vibeward.python.csrf_protection.fastapi-csrf
api.add_middleware(CORSMiddleware, allow_origins=["*"])


@api.post("/items")
async def create_item_api(request: Request, csrf_protect: CsrfProtect = Depends()):
    # ruleid: vibeward.python.csrf_protection.fastapi-csrf
    await csrf_protect.validate_csrf(request)
    return {}
