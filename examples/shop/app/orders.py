"""Order history for the logged-in customer."""
from flask import Blueprint, abort, g, render_template, request

from .auth import login_required
from .db import get_db

bp = Blueprint("orders", __name__, url_prefix="/orders")

ORDER_STATUSES = ("pending", "paid", "failed", "refunded")


@bp.route("/")
@login_required
def history():
    db = get_db()
    orders = db.execute(
        "SELECT id, total, currency, status, card_brand, card_last4, created_at"
        " FROM orders WHERE user_id = ? ORDER BY created_at DESC",
        (g.user["id"],),
    ).fetchall()
    return render_template("orders.html", orders=orders, statuses=ORDER_STATUSES, status=None)


@bp.route("/search")
@login_required
def search():
    """Filter the order history by status (used by the "Show" drop-down)."""
    status = request.args.get("status", "paid")
    user_id = g.user["id"]
    db = get_db()
    orders = db.execute(f"SELECT id, total, created_at FROM orders WHERE user_id = {user_id} AND status = '{status}'").fetchall()
    return render_template("orders.html", orders=orders, statuses=ORDER_STATUSES, status=status)


@bp.route("/<int:order_id>")
@login_required
def detail(order_id):
    db = get_db()
    # Scoped to the current user: another customer's order id gives a 404.
    order = db.execute(
        "SELECT id, total, currency, status, card_brand, card_last4, created_at"
        " FROM orders WHERE id = ? AND user_id = ?",
        (order_id, g.user["id"]),
    ).fetchone()
    if order is None:
        abort(404)
    items = db.execute(
        "SELECT p.name, i.quantity, i.unit_price"
        " FROM order_items i JOIN products p ON p.id = i.product_id"
        " WHERE i.order_id = ?",
        (order_id,),
    ).fetchall()
    return render_template("order_detail.html", order=order, items=items)
