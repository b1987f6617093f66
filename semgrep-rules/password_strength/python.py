# Test target for semgrep-rules/password_strength/python.yml (parsed only, never run).
from django.contrib.auth.password_validation import validate_password
from flask_wtf import FlaskForm
from marshmallow import Schema, fields, validate
from pydantic import BaseModel, Field
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length
from zxcvbn import zxcvbn

AUTH_PASSWORD_VALIDATORS = [
    # ruleid: vibeward.python.password_strength.django-password-validator
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        # ruleid: vibeward.python.password_strength.django-min-length
        "OPTIONS": {"min_length": 12},
    },
    # ruleid: vibeward.python.password_strength.django-password-validator
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

AUTH_PASSWORD_VALIDATORS = [
    # ruleid: vibeward.python.password_strength.django-min-length-default
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]


def change_password(request, user):
    new = request.POST["new_password"]
    # ruleid: vibeward.python.password_strength.validate-password
    validate_password(new, user=user)
    # ruleid: vibeward.python.password_strength.validate-password
    if zxcvbn(new)["score"] < 3:
        raise ValueError("weak password")


def register(username, password):
    # ruleid: vibeward.python.password_strength.length-check
    if len(password) < 12:
        raise ValueError("password too short")
    # ok: vibeward.python.password_strength.length-check
    if len(username) < 3:
        raise ValueError("username too short")


class RegisterForm(FlaskForm):
    # ruleid: vibeward.python.password_strength.length-check
    password = PasswordField("Password", validators=[DataRequired(), Length(min=10, max=128)])
    # ok: vibeward.python.password_strength.length-check
    username = StringField("Username", validators=[Length(min=3)])


class SignupSchema(Schema):
    # ruleid: vibeward.python.password_strength.length-check
    password = fields.String(required=True, validate=validate.Length(min=12))


class UserIn(BaseModel):
    # ruleid: vibeward.python.password_strength.length-check
    password: str = Field(..., min_length=12, max_length=128)
    # ok: vibeward.python.password_strength.length-check
    name: str = Field(..., min_length=1)


def pwned(prefix):
    # ruleid: vibeward.python.password_strength.pwned-passwords
    return requests.get(f"https://api.pwnedpasswords.com/range/{prefix}", timeout=5)


MIN_PASSWORD_LENGTH = 12


def register_with_constant(password):
    # ruleid: vibeward.python.password_strength.length-check
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError("too short")
