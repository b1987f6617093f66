# Test target for semgrep-rules/input_validation/python.yml (parsed only, never run).
import jsonschema
from cerberus import Validator
from fastapi import FastAPI
from flask import request
from flask_wtf import FlaskForm
from marshmallow import Schema, fields
from pydantic import BaseModel, EmailStr, Field, field_validator
from webargs.flaskparser import use_args
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

app = FastAPI()

# ================================================================ FastAPI / pydantic


class UserCreate(BaseModel):
    # ruleid: vibeward.python.input_validation.pydantic-constraints
    name: str = Field(..., min_length=1, max_length=100)
    # ruleid: vibeward.python.input_validation.pydantic-constraints
    email: EmailStr
    # ok: vibeward.python.input_validation.pydantic-constraints
    nickname: str = Field(default=None, description="shown to others")

    # ruleid: vibeward.python.input_validation.pydantic-constraints
    @field_validator("name")
    def strip(cls, v):
        return v.strip()


# ruleid: vibeward.python.input_validation.fastapi-body-model
@app.post("/users")
async def create_user(body: UserCreate):
    return body


# ok: vibeward.python.input_validation.fastapi-body-model
@app.get("/users/{user_id}")
async def get_user(user_id: int):
    return user_id


# ================================================================ Flask


class UserSchema(Schema):
    email = fields.Email(required=True)


def create():
    # ruleid: vibeward.python.input_validation.marshmallow-load
    data = UserSchema().load(request.get_json())
    # ok: vibeward.python.input_validation.marshmallow-load
    cfg = loader.load(config_path)
    return data, cfg


# ruleid: vibeward.python.input_validation.marshmallow-load
@use_args(UserSchema(), location="json")
def update(args):
    return args


class LoginForm(FlaskForm):
    # ruleid: vibeward.python.input_validation.wtforms-validators
    email = StringField("Email", validators=[DataRequired(), Email()])
    # ruleid: vibeward.python.input_validation.wtforms-validators
    password = PasswordField("Password", validators=[Length(min=12)])
    # ok: vibeward.python.input_validation.wtforms-validators
    remember = StringField("Remember")


def login():
    form = LoginForm()
    # ruleid: vibeward.python.input_validation.form-validate
    if form.validate_on_submit():
        return "ok"


# ================================================================ Django / DRF


def signup(request):
    form = SignupForm(request.POST)
    # ruleid: vibeward.python.input_validation.form-validate
    if form.is_valid():
        form.save()
    serializer = OrderSerializer(data=request.data)
    # ruleid: vibeward.python.input_validation.form-validate
    serializer.is_valid(raise_exception=True)
    # ok: vibeward.python.input_validation.form-validate
    token.validate()


# ================================================================ schema libraries

ORDER_SCHEMA = {"type": "object", "required": ["sku"]}


def handle(payload):
    # ruleid: vibeward.python.input_validation.schema-validator
    jsonschema.validate(instance=payload, schema=ORDER_SCHEMA)
    # ruleid: vibeward.python.input_validation.schema-validator
    v = Validator({"sku": {"type": "string", "maxlength": 32}})
    # ok: vibeward.python.input_validation.schema-validator
    validate(payload)
    return v
