"""Registration, login and logout."""
import functools
import sqlite3

import bcrypt
from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for

from .audit import record_audit_event
from .db import get_db

bp = Blueprint("auth", __name__, url_prefix="/auth")

MIN_PASSWORD_LENGTH = 12


def login_required(view):
    @functools.wraps(view)
    def wrapped_view(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.path))
        return view(**kwargs)

    return wrapped_view


@bp.before_app_request
def load_logged_in_user():
    user_id = session.get("user_id")
    g.user = None
    if user_id is not None:
        db = get_db()
        g.user = db.execute("SELECT id, email FROM users WHERE id = ?", (user_id,)).fetchone()


@bp.route("/register", methods=("GET", "POST"))
def register():
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        password = request.form.get("password", "")
        error = None
        if not email or "@" not in email:
            error = "A valid email address is required."
        elif len(password) < MIN_PASSWORD_LENGTH:
            error = "Password must be at least %d characters." % MIN_PASSWORD_LENGTH

        if error is None:
            password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12))
            db = get_db()
            try:
                db.execute(
                    "INSERT INTO users (email, password_hash) VALUES (?, ?)",
                    (email, password_hash),
                )
                db.commit()
            except sqlite3.IntegrityError:
                error = "That email address is already registered."
            else:
                record_audit_event(email, "register", "success")
                flash("Account created. Please log in.")
                return redirect(url_for("auth.login"))

        flash(error)

    return render_template("auth.html", title="Create an account", action="register")


@bp.route("/login", methods=("GET", "POST"))
def login():
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        password = request.form.get("password", "")
        db = get_db()
        user = db.execute(
            "SELECT id, email, password_hash FROM users WHERE email = ?", (email,)
        ).fetchone()

        if user is None or not bcrypt.checkpw(password.encode(), user["password_hash"]):
            record_audit_event(email, "login", "failure")
            # Same message either way, so the form does not reveal which
            # email addresses have accounts.
            flash("Incorrect email or password.")
            return render_template("auth.html", title="Log in", action="login"), 401

        # Start a fresh session on login (no session fixation), and make it
        # permanent so PERMANENT_SESSION_LIFETIME applies.
        session.clear()
        session.permanent = True
        session["user_id"] = user["id"]
        record_audit_event(user["id"], "login", "success")

        next_url = request.args.get("next", "")
        # Only follow local paths, never an absolute URL to another site
        # ("//host" and "/\host" are treated as absolute URLs by browsers).
        if not next_url.startswith("/") or next_url.startswith(("//", "/\\")):
            next_url = url_for("checkout.catalog")
        return redirect(next_url)

    return render_template("auth.html", title="Log in", action="login")


@bp.route("/logout", methods=("POST",))
def logout():
    if g.user is not None:
        record_audit_event(g.user["id"], "logout", "success")
    session.clear()
    return redirect(url_for("checkout.catalog"))
