# Test target for semgrep-rules/parameterized_queries/python.yml (parsed only, never run).
import sqlite3

import pandas as pd
import sqlalchemy
from django.db import connection
from flask import request
from sqlalchemy import select, text

# ================================================================ evidence


def get_user_sqlite(db, user_id):
    cur = db.cursor()
    # ruleid: vibeward.python.parameterized_queries.dbapi-bound-params
    cur.execute("SELECT * FROM users WHERE id = ?", (user_id,))
    return cur.fetchone()


def get_user_psycopg(conn, email):
    sql = "SELECT id, email FROM users WHERE email = %s"
    with conn.cursor() as cur:
        # ruleid: vibeward.python.parameterized_queries.dbapi-bound-params
        cur.execute(sql, [email])
        return cur.fetchone()


def insert_many(conn, rows):
    # ruleid: vibeward.python.parameterized_queries.dbapi-bound-params
    conn.executemany("INSERT INTO t (a, b) VALUES (?, ?)", rows)


def no_params(conn):
    # ok: vibeward.python.parameterized_queries.dbapi-bound-params
    conn.execute("SELECT count(*) FROM users")


def sqlalchemy_text(session, name):
    # ruleid: vibeward.python.parameterized_queries.dbapi-bound-params
    rows = session.execute(text("SELECT * FROM users WHERE name = :name"), {"name": name})
    # ruleid: vibeward.python.parameterized_queries.sqlalchemy-text-bindparams
    stmt = text("SELECT * FROM users WHERE id = :id").bindparams(id=5)
    return rows, stmt


def sqlalchemy_orm(session, username):
    # ruleid: vibeward.python.parameterized_queries.sqlalchemy-orm-query
    user = session.query(User).filter(User.username == username).first()
    # ruleid: vibeward.python.parameterized_queries.sqlalchemy-orm-query
    other = User.query.filter_by(email=request.args["email"]).first_or_404()
    # ruleid: vibeward.python.parameterized_queries.sqlalchemy-orm-query
    stmt = select(User).where(User.id == 5)
    # ok: vibeward.python.parameterized_queries.sqlalchemy-orm-query
    everyone = session.query(User).all()
    return user, other, stmt, everyone


def django_orm(request):
    # ruleid: vibeward.python.parameterized_queries.django-orm
    posts = Post.objects.filter(author__username=request.GET["u"])
    # ok: vibeward.python.parameterized_queries.django-orm
    one = Post.objects.get(pk=1)
    # ruleid: vibeward.python.parameterized_queries.django-raw-params
    raw = Person.objects.raw("SELECT * FROM myapp_person WHERE last_name = %s", [request.GET["name"]])
    return posts, one, raw


# ================================================================ violations


def fstring_sqlite(db, user_id):
    cur = db.cursor()
    # ruleid: vibeward.python.parameterized_queries.sql-string-formatting
    cur.execute(f"SELECT * FROM users WHERE id = {user_id}")


def percent_format(cursor, name):
    # ruleid: vibeward.python.parameterized_queries.sql-string-formatting
    cursor.execute("SELECT * FROM users WHERE name = '%s'" % name)


def dot_format(cursor, name):
    # ruleid: vibeward.python.parameterized_queries.sql-string-formatting
    cursor.execute("DELETE FROM users WHERE name = '{}'".format(name))


def concatenation(cursor):
    username = request.form["username"]
    # ruleid: vibeward.python.parameterized_queries.sql-string-formatting
    cursor.execute("SELECT * FROM users WHERE username = '" + username + "'")


def via_variable(conn):
    q = request.args.get("q")
    query = f"SELECT * FROM products WHERE name LIKE '%{q}%'"
    # ruleid: vibeward.python.parameterized_queries.sql-string-formatting
    return conn.execute(query).fetchall()


def via_variable_append(cursor, order):
    sql = "SELECT * FROM items WHERE 1=1"
    sql += " ORDER BY %s" % order
    # ruleid: vibeward.python.parameterized_queries.sql-string-formatting
    cursor.execute(sql)


def sqlalchemy_text_fstring(session, uid):
    # ruleid: vibeward.python.parameterized_queries.sql-string-formatting
    return session.execute(text(f"SELECT * FROM users WHERE id = {uid}"))


def django_raw(request):
    # ruleid: vibeward.python.parameterized_queries.sql-string-formatting
    a = Person.objects.raw("SELECT * FROM myapp_person WHERE last_name = '%s'" % request.GET["name"])
    # ruleid: vibeward.python.parameterized_queries.sql-string-formatting
    b = Entry.objects.extra(where=[f"headline LIKE '{request.GET['h']}'"])
    with connection.cursor() as c:
        # ruleid: vibeward.python.parameterized_queries.sql-string-formatting
        c.execute(f"UPDATE accounts SET balance = {request.POST['b']} WHERE id = 1")
    return a, b


def pandas_query(engine, table):
    # ruleid: vibeward.python.parameterized_queries.sql-string-formatting
    return pd.read_sql(f"SELECT * FROM {table}", engine)


def placeholders_ok(cursor, name):
    # a %s placeholder with separate parameters is NOT string formatting
    # ok: vibeward.python.parameterized_queries.sql-string-formatting
    # ruleid: vibeward.python.parameterized_queries.dbapi-bound-params
    cursor.execute("SELECT * FROM users WHERE name = %s", (name,))


def fstring_without_placeholder_ok(cursor):
    # ok: vibeward.python.parameterized_queries.sql-string-formatting
    cursor.execute(f"SELECT 1")


def log_line_ok(logger, user):
    # formatting that never reaches a SQL sink
    msg = f"user {user} logged in"
    # ok: vibeward.python.parameterized_queries.sql-string-formatting
    logger.info(msg)


# ================================================================ more near-misses


def near_misses(session, uid):
    # ok: vibeward.python.parameterized_queries.sqlalchemy-text-bindparams
    stmt = text("SELECT * FROM users")
    # ok: vibeward.python.parameterized_queries.django-raw-params
    everyone = Person.objects.raw("SELECT * FROM myapp_person")
    return stmt, everyone
