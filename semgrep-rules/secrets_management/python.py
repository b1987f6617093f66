# Test target for semgrep-rules/secrets_management/python.yml (parsed only, never run).
import os

import boto3
import environ
import hvac
import stripe
from decouple import config
from flask import Flask, request
from google.cloud import secretmanager
from pydantic import SecretStr
from pydantic_settings import BaseSettings

# ================================================================ evidence

app = Flask(__name__)
# ruleid: vibeward.python.secrets_management.secret-from-env
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
# ruleid: vibeward.python.secrets_management.secret-from-env
STRIPE_KEY = os.getenv("STRIPE_SECRET_KEY")
# ruleid: vibeward.python.secrets_management.secret-from-env
DB_PASSWORD = os.environ.get("DB_PASSWORD")
# ok: vibeward.python.secrets_management.secret-from-env
DEBUG = os.environ.get("DEBUG")
# ok: vibeward.python.secrets_management.secret-from-env
STRICT = os.environ.get("OAUTHLIB_STRICT_TOKEN_TYPE")
# ruleid: vibeward.python.secrets_management.secret-from-env
SENDGRID = config("SENDGRID_API_KEY")

env = environ.Env(DEBUG=(bool, False))
# ruleid: vibeward.python.secrets_management.secret-from-env
SECRET_KEY = env("DJANGO_SECRET_KEY")


class Settings(BaseSettings):
    # ruleid: vibeward.python.secrets_management.settings-class-secret
    secret_key: str
    # ruleid: vibeward.python.secrets_management.settings-class-secret
    database_password: SecretStr = SecretStr("")
    # ok: vibeward.python.secrets_management.settings-class-secret
    app_name: str
    # ok: vibeward.python.secrets_management.settings-class-secret
    token_url: str
    # ok: vibeward.python.secrets_management.settings-class-secret
    access_token_expire_minutes: int = 30


# ruleid: vibeward.python.secrets_management.secrets-manager-client
vault = hvac.Client(url=os.environ["VAULT_ADDR"])


def aws_secret(name):
    # ruleid: vibeward.python.secrets_management.secrets-manager-client
    client = boto3.client("secretsmanager", region_name="eu-west-1")
    # ruleid: vibeward.python.secrets_management.secrets-manager-client
    return client.get_secret_value(SecretId=name)["SecretString"]


def gcp_secret(name):
    # ruleid: vibeward.python.secrets_management.secrets-manager-client
    client = secretmanager.SecretManagerServiceClient()
    # ruleid: vibeward.python.secrets_management.secrets-manager-client
    return client.access_secret_version(request={"name": name}).payload.data


# ok: vibeward.python.secrets_management.secrets-manager-client
s3 = boto3.client("s3")

# ================================================================ violations

# ruleid: vibeward.python.secrets_management.hardcoded-secret
SECRET_KEY = "django-insecure-8f$k2!x9@zq"
# ruleid: vibeward.python.secrets_management.hardcoded-secret
app.secret_key = "super secret key"
# ruleid: vibeward.python.secrets_management.hardcoded-secret
app.secret_key = b'_5#y2L"F4Q8z\n\xec]/'
# ruleid: vibeward.python.secrets_management.hardcoded-secret
app.config["JWT_SECRET_KEY"] = "my-jwt-secret"
# ruleid: vibeward.python.secrets_management.hardcoded-secret
db_password = "hunter2"
# ruleid: vibeward.python.secrets_management.hardcoded-secret
conn = psycopg2.connect(host="db", user="app", password="Pa55w0rd!")

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "USER": "app",
        # ruleid: vibeward.python.secrets_management.hardcoded-secret
        "PASSWORD": "postgres123",
        # ok: vibeward.python.secrets_management.hardcoded-secret
        "HOST": "localhost",
    }
}

# ruleid: vibeward.python.secrets_management.hardcoded-secret, vibeward.python.secrets_management.hardcoded-credential-literal
stripe.api_key = "sk_live_51HxYzAbCdEfGhIjKlMnOpQr"
# ruleid: vibeward.python.secrets_management.hardcoded-credential-literal
SQLALCHEMY_DATABASE_URI = "postgresql://admin:s3cr3t@db.internal:5432/app"
# ok: vibeward.python.secrets_management.hardcoded-credential-literal
REDIS_URL = "redis://localhost:6379/0"

# ruleid: vibeward.python.secrets_management.hardcoded-secret
app.secret_key = "your_secret_key"
# ruleid: vibeward.python.secrets_management.hardcoded-secret
JWT_SECRET = "secret"

# ---- not violations
# ok: vibeward.python.secrets_management.hardcoded-secret
CI_MUST_PASS = "ci_must_pass"
# ok: vibeward.python.secrets_management.hardcoded-secret
PASSWORD_FIELD = "password"
# ok: vibeward.python.secrets_management.hardcoded-secret
token_type = "bearer"
# ok: vibeward.python.secrets_management.hardcoded-secret
SECRET_KEY = ""
# ok: vibeward.python.secrets_management.hardcoded-secret
ACCESS_TOKEN = "access_token"
# ok: vibeward.python.secrets_management.hardcoded-secret
API_KEY = "STRIPE_API_KEY"
# ok: vibeward.python.secrets_management.hardcoded-secret
INVALID_PASSWORD = "Invalid username or password"
# ok: vibeward.python.secrets_management.hardcoded-secret
PASSWORD_HELP = "Please enter your password"
# ok: vibeward.python.secrets_management.hardcoded-secret
TOKEN_URL = "https://oauth2.example.com/token"


def login_view():
    # ok: vibeward.python.secrets_management.hardcoded-secret
    password = request.form["password"]
    # ok: vibeward.python.secrets_management.hardcoded-secret
    token = f"{prefix}-{password}"
    return password, token


# ruleid: vibeward.python.secrets_management.secret-env-literal-default
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-secret")
# ruleid: vibeward.python.secrets_management.secret-env-literal-default
GITHUB_TOKEN = os.getenv("X_TOKEN", "abc")
# ruleid: vibeward.python.secrets_management.secret-env-literal-default
JWT_SECRET = config("JWT_SECRET", default="changeme")
# ok: vibeward.python.secrets_management.secret-env-literal-default
PORT = os.getenv("PORT", "8000")
# ok: vibeward.python.secrets_management.secret-env-literal-default
# ruleid: vibeward.python.secrets_management.secret-from-env
EMPTY_OK = os.getenv("MAIL_PASSWORD", "")
