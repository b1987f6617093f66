# Test target for semgrep-rules/no_sensitive_auth_data_storage/python.yml (parsed only, never run).
import json
import logging

import stripe
from django import forms
from django.db import models
from flask import Flask, request, session
from flask_sqlalchemy import SQLAlchemy
from pydantic import BaseModel
from sqlalchemy import Column, Integer, String
from wtforms import StringField

db = SQLAlchemy()
logger = logging.getLogger(__name__)

# ================================================================ schema


class Payment(models.Model):
    card_last4 = models.CharField(max_length=4)
    # ruleid: vibeward.python.no_sensitive_auth_data_storage.sad-model-field
    cvv = models.CharField(max_length=4)


class Card(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    # ruleid: vibeward.python.no_sensitive_auth_data_storage.sad-model-field
    card_security_code = db.Column(db.String(4))
    # ruleid: vibeward.python.no_sensitive_auth_data_storage.sad-model-field
    track2 = Column(String(40))
    # ok: vibeward.python.no_sensitive_auth_data_storage.sad-model-field
    card_token = db.Column(db.String(64))


class CheckoutForm(forms.Form):
    # a form field is transient, not storage
    # ok: vibeward.python.no_sensitive_auth_data_storage.sad-model-field
    cvv = forms.CharField(max_length=4)


class PayForm(FlaskForm):
    # ok: vibeward.python.no_sensitive_auth_data_storage.sad-model-field
    cvc = StringField("CVC")


class PaymentIn(BaseModel):
    card_number: str
    # ok: vibeward.python.no_sensitive_auth_data_storage.sad-model-field
    cvv: str


def init_db(conn):
    # ruleid: vibeward.python.no_sensitive_auth_data_storage.sad-sql-column
    conn.execute("CREATE TABLE cards (id INTEGER PRIMARY KEY, pan TEXT, cvv TEXT, expiry TEXT)")
    # ok: vibeward.python.no_sensitive_auth_data_storage.sad-sql-column
    conn.execute("CREATE TABLE cards (id INTEGER PRIMARY KEY, token TEXT, last4 TEXT)")


# ================================================================ data flow into storage


def save_card_flask(conn):
    cvv = request.form["cvv"]
    # ruleid: vibeward.python.no_sensitive_auth_data_storage.sad-sql-column
    conn.execute("INSERT INTO cards (pan, cvv) VALUES (?, ?)", (request.form["pan"], cvv))


def save_card_generic_sql(conn, card):
    # ruleid: vibeward.python.no_sensitive_auth_data_storage.sad-persisted
    conn.execute("INSERT INTO cards VALUES (?, ?, ?)", (card.number, card.expiry, card.cvv))


def save_card_orm():
    card = Card(number=request.form["number"])
    # ruleid: vibeward.python.no_sensitive_auth_data_storage.sad-persisted
    card.cvv = request.form.get("cvv")
    db.session.add(card)


def save_card_mongo(mongo):
    order = {"pan": request.json["pan"], "cvc": request.json["cvc"]}
    # ruleid: vibeward.python.no_sensitive_auth_data_storage.sad-persisted
    mongo.db.orders.insert_one(order)


def keep_in_session():
    # ruleid: vibeward.python.no_sensitive_auth_data_storage.sad-persisted
    session["card_cvv"] = request.form["cvv"]


def save_card_django(request):
    # ruleid: vibeward.python.no_sensitive_auth_data_storage.sad-persisted
    Payment.objects.create(card_last4=request.POST["pan"][-4:], cvv=request.POST["cvv"])


def pay_with_stripe(amount):
    # CVV only goes to the processor: fine
    pm = stripe.PaymentMethod.create(type="card", card={"number": request.form["pan"], "cvc": request.form["cvc"]})
    record = Payment(card_last4=request.form["pan"][-4:], stripe_pm=pm.id)
    # ok: vibeward.python.no_sensitive_auth_data_storage.sad-persisted
    db.session.add(record)


def validate_only():
    ok = validate_cvv(request.form["cvv"])
    # ok: vibeward.python.no_sensitive_auth_data_storage.sad-persisted
    db.session.add(Attempt(valid=ok))


# ================================================================ logging


def debug_payment(cvv, pan):
    # ruleid: vibeward.python.no_sensitive_auth_data_storage.sad-logged
    logger.info(f"charging card {pan[-4:]} cvv={cvv}")
    # ruleid: vibeward.python.no_sensitive_auth_data_storage.sad-logged
    print("payload", request.json["cvv"])
    # ok: vibeward.python.no_sensitive_auth_data_storage.sad-logged
    logger.info("cvv present: %s", bool(cvv))
    # ok: vibeward.python.no_sensitive_auth_data_storage.sad-logged
    logger.info("charging card ending %s", pan[-4:])


class CardDetails:
    def __init__(self, number, cvv):
        self.number = number
        # ok: vibeward.python.no_sensitive_auth_data_storage.sad-persisted
        self.cvv = cvv
