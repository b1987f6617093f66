"""Server-side validation of what the browser posts (Flask-WTF also checks the CSRF token)."""
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp


class PaymentForm(FlaskForm):
    # A Stripe PaymentMethod id, created in the browser by Stripe.js: "pm_" and letters/digits.
    payment_method_id = StringField(
        "payment_method_id",
        validators=[DataRequired(), Length(max=100), Regexp(r"^pm_[A-Za-z0-9]+$")],
    )
