"""Storefront, cart and card checkout.

Card data never reaches this server: the browser tokenizes the card with
Stripe.js (Stripe Elements) and posts only the resulting PaymentMethod id.
From Stripe we keep the PaymentIntent id and the card brand/last4, nothing else.
"""
import logging

import stripe
from flask import (
    Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for,
)

from .audit import record_audit_event
from .auth import login_required
from .db import get_db
from .forms import PaymentForm

bp = Blueprint("checkout", __name__)
log = logging.getLogger(__name__)

MAX_QUANTITY = 10


@bp.route("/")
def catalog():
    db = get_db()
    products = db.execute(
        "SELECT id, name, description, price FROM products WHERE active = 1 ORDER BY name"
    ).fetchall()
    return render_template("catalog.html", products=products)


@bp.route("/cart/add/<int:product_id>", methods=("POST",))
@login_required
def add_to_cart(product_id):
    db = get_db()
    product = db.execute(
        "SELECT id FROM products WHERE id = ? AND active = 1", (product_id,)
    ).fetchone()
    if product is None:
        abort(404)
    # The session is JSON-serialized, so product ids are kept as string keys.
    cart = session.setdefault("cart", {})
    key = str(product_id)
    cart[key] = min(cart.get(key, 0) + 1, MAX_QUANTITY)
    session.modified = True
    flash("Added to cart.")
    return redirect(url_for("checkout.catalog"))


def _load_cart(db):
    """Return (lines, total). Prices come from the database, never the client."""
    lines, total = [], 0
    for product_id, quantity in session.get("cart", {}).items():
        product = db.execute(
            "SELECT id, name, price FROM products WHERE id = ? AND active = 1",
            (int(product_id),),
        ).fetchone()
        if product is None:
            continue
        lines.append({
            "product_id": product["id"],
            "name": product["name"],
            "quantity": quantity,
            "unit_price": product["price"],
        })
        total += product["price"] * quantity
    return lines, total


@bp.route("/checkout")
@login_required
def checkout():
    lines, total = _load_cart(get_db())
    if not lines:
        flash("Your cart is empty.")
        return redirect(url_for("checkout.catalog"))
    return render_template(
        "checkout.html",
        lines=lines,
        total=total,
        stripe_publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
    )


@bp.route("/checkout/pay", methods=("POST",))
@login_required
def pay():
    # A Stripe PaymentMethod id ("pm_..."), created in the browser by Stripe.js.
    payment_method_id = request.form.get("payment_method_id", "")
    if not PaymentForm().validate_on_submit():
        abort(400)

    db = get_db()
    lines, total = _load_cart(db)
    if not lines:
        flash("Your cart is empty.")
        return redirect(url_for("checkout.catalog"))

    # Record the order first so a payment can always be matched to an order.
    cur = db.execute(
        "INSERT INTO orders (user_id, total, currency, status) VALUES (?, ?, ?, ?)",
        (g.user["id"], total, "usd", "pending"),
    )
    order_id = cur.lastrowid
    db.executemany(
        "INSERT INTO order_items (order_id, product_id, quantity, unit_price) VALUES (?, ?, ?, ?)",
        [(order_id, l["product_id"], l["quantity"], l["unit_price"]) for l in lines],
    )
    db.commit()

    try:
        intent = stripe.PaymentIntent.create(
            amount=total,
            currency="usd",
            payment_method=payment_method_id,
            confirm=True,
            payment_method_types=["card"],
            # This checkout has no 3-D Secure redirect step: if the bank asks
            # for one, fail the attempt instead of leaving it half-confirmed.
            error_on_requires_action=True,
            expand=["payment_method"],
            metadata={"order_id": str(order_id)},
            idempotency_key="order-%d" % order_id,
        )
    except stripe.CardError as exc:
        _mark_failed(db, order_id)
        record_audit_event(
            g.user["id"], "payment", "failure",
            order_id=order_id, amount=total, decline_code=exc.code,
        )
        flash(exc.user_message or "Your card was declined.")
        return redirect(url_for("checkout.checkout"))
    except stripe.StripeError:
        _mark_failed(db, order_id)
        log.exception("Stripe error for order %s", order_id)
        record_audit_event(g.user["id"], "payment", "error", order_id=order_id, amount=total)
        flash("We could not reach the payment provider. You have not been charged.")
        return redirect(url_for("checkout.checkout"))

    if intent.status != "succeeded":
        _mark_failed(db, order_id)
        record_audit_event(
            g.user["id"], "payment", "failure",
            order_id=order_id, amount=total, payment_intent=intent.id, status=intent.status,
        )
        flash("Your payment could not be completed.")
        return redirect(url_for("checkout.checkout"))

    # Only the non-sensitive card details Stripe returns are kept.
    card = intent.payment_method.card
    db.execute(
        "UPDATE orders SET status = ?, payment_intent_id = ?, card_brand = ?, card_last4 = ?"
        " WHERE id = ?",
        ("paid", intent.id, card.brand, card.last4, order_id),
    )
    db.commit()
    session.pop("cart", None)
    record_audit_event(
        g.user["id"], "payment", "success",
        order_id=order_id, amount=total, currency="usd", payment_intent=intent.id,
    )
    flash("Payment received. Thank you for your order!")
    return redirect(url_for("orders.detail", order_id=order_id))


def _mark_failed(db, order_id):
    db.execute("UPDATE orders SET status = ? WHERE id = ?", ("failed", order_id))
    db.commit()
