# Test target for semgrep-rules/password_hashing/python.yml (parsed only, never run).
import hashlib
import os

import bcrypt
from argon2 import PasswordHasher
from django.contrib.auth.hashers import make_password
from flask import request
from flask_bcrypt import Bcrypt
from passlib.context import CryptContext
from passlib.hash import bcrypt as passlib_bcrypt
from werkzeug.security import generate_password_hash

# ---------------------------------------------------------------- bcrypt


def hash_pw_explicit(password):
    # ruleid: vibeward.python.password_hashing.bcrypt-hashpw-cost
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=14))


def hash_pw_positional(password):
    # ruleid: vibeward.python.password_hashing.bcrypt-hashpw-cost
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(12))


def hash_pw_salt_var(password):
    salt = bcrypt.gensalt(rounds=13)
    # ruleid: vibeward.python.password_hashing.bcrypt-hashpw-cost
    return bcrypt.hashpw(password.encode(), salt)


def hash_pw_default(password):
    # ok: vibeward.python.password_hashing.bcrypt-hashpw-cost
    # ruleid: vibeward.python.password_hashing.bcrypt-hashpw
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt())


def check_pw(password, stored):
    # ok: vibeward.python.password_hashing.bcrypt-hashpw
    return bcrypt.checkpw(password.encode(), stored)


# ---------------------------------------------------------------- Flask-Bcrypt

# ruleid: vibeward.python.password_hashing.flask-bcrypt
flask_bcrypt_ext = Bcrypt(app)

# ruleid: vibeward.python.password_hashing.flask-bcrypt-log-rounds
BCRYPT_LOG_ROUNDS = 13
# ruleid: vibeward.python.password_hashing.flask-bcrypt-log-rounds
app.config["BCRYPT_LOG_ROUNDS"] = 12
# ok: vibeward.python.password_hashing.flask-bcrypt-log-rounds
app.config["BCRYPT_HANDLE_LONG_PASSWORDS"] = True

# ---------------------------------------------------------------- passlib (FastAPI docs idiom)

# ruleid: vibeward.python.password_hashing.passlib
pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")

# ruleid: vibeward.python.password_hashing.passlib, vibeward.python.password_hashing.passlib-bcrypt-rounds
strong_context = CryptContext(schemes=["argon2", "bcrypt"], bcrypt__rounds=14)


def passlib_direct(password):
    # ruleid: vibeward.python.password_hashing.passlib
    return passlib_bcrypt.hash(password)


# ---------------------------------------------------------------- argon2-cffi

# ruleid: vibeward.python.password_hashing.argon2
ph = PasswordHasher(time_cost=3, memory_cost=65536)

# ---------------------------------------------------------------- werkzeug (Flask)


class User(db.Model):
    def set_password(self, password):
        # ruleid: vibeward.python.password_hashing.werkzeug-generate-password-hash
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        # ok: vibeward.python.password_hashing.werkzeug-generate-password-hash
        return check_password_hash(self.password_hash, password)


# ---------------------------------------------------------------- Django


def django_register(request):
    user = User(username=request.POST["username"])
    # ruleid: vibeward.python.password_hashing.django-hashers
    user.set_password(request.POST["password"])
    # ruleid: vibeward.python.password_hashing.django-hashers
    user.legacy = make_password("x")
    # ruleid: vibeward.python.password_hashing.django-hashers
    User.objects.create_user(username="bob", email="b@example.com", password=request.POST["pw"])
    # ok: vibeward.python.password_hashing.django-hashers
    user.check_password(request.POST["password"])


# ruleid: vibeward.python.password_hashing.django-password-hashers-setting
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# ---------------------------------------------------------------- stdlib KDFs


def kdf(password, salt):
    # ruleid: vibeward.python.password_hashing.hashlib-pbkdf2
    a = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600000)
    # ruleid: vibeward.python.password_hashing.hashlib-pbkdf2
    b = hashlib.pbkdf2_hmac(hash_name="sha512", password=password.encode(), salt=salt, iterations=210000)
    # ruleid: vibeward.python.password_hashing.hashlib-scrypt
    c = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return a, b, c


# ================================================================ violations


def weak_md5(password):
    # ruleid: vibeward.python.password_hashing.weak-hash-of-password
    return hashlib.md5(password.encode()).hexdigest()


def weak_sha256_salted(salt):
    # ruleid: vibeward.python.password_hashing.weak-hash-of-password
    return hashlib.sha256((salt + request.form["password"]).encode("utf-8")).hexdigest()


def weak_update(pwd):
    h = hashlib.sha1()
    # ruleid: vibeward.python.password_hashing.weak-hash-of-password
    h.update(pwd.encode())
    return h.hexdigest()


def weak_new(user_password):
    # ruleid: vibeward.python.password_hashing.weak-hash-of-password
    return hashlib.new("md5", user_password.encode()).hexdigest()


def gravatar(email, size=80):
    # ok: vibeward.python.password_hashing.weak-hash-of-password
    digest = hashlib.md5(email.lower().encode("utf-8")).hexdigest()
    return f"https://www.gravatar.com/avatar/{digest}?s={size}"


def cache_key(path, args):
    # ok: vibeward.python.password_hashing.weak-hash-of-password
    return "view:" + hashlib.sha1(f"{path}?{args}".encode()).hexdigest()


def etag(body):
    # ok: vibeward.python.password_hashing.weak-hash-of-password
    return hashlib.sha1(body).hexdigest()


def rate_limit_key(ip, endpoint):
    # ok: vibeward.python.password_hashing.weak-hash-of-password
    return hashlib.sha1(f"{ip}:{endpoint}".encode()).hexdigest()


def store_reset_token(password_reset_token):
    # ok: vibeward.python.password_hashing.weak-hash-of-password
    return hashlib.sha256(password_reset_token.encode()).hexdigest()


# ruleid: vibeward.python.password_hashing.weak-django-password-hasher
PASSWORD_HASHERS = ["django.contrib.auth.hashers.UnsaltedMD5PasswordHasher"]


def register_plain():
    user = User(username=request.form["username"])
    # ruleid: vibeward.python.password_hashing.plaintext-password-storage
    user.password = request.form["password"]
    db.session.add(user)


def register_plain_var():
    pw = request.form.get("password")
    # ruleid: vibeward.python.password_hashing.plaintext-password-storage
    account = models.Account(email=request.form["email"], password=pw)
    db.session.add(account)


def register_plain_django(request):
    # Manager.create() does not hash, unlike create_user()
    # ruleid: vibeward.python.password_hashing.plaintext-password-storage
    User.objects.create(username=request.POST["username"], password=request.POST["password"])


def register_plain_sql(conn):
    username = request.form["username"]
    password = request.form["password"]
    # ruleid: vibeward.python.password_hashing.plaintext-password-storage
    conn.execute("INSERT INTO users (username, password) VALUES (?, ?)", (username, password))


def register_hashed():
    user = User(username=request.form["username"])
    # ok: vibeward.python.password_hashing.plaintext-password-storage
    # ruleid: vibeward.python.password_hashing.werkzeug-generate-password-hash
    user.password = generate_password_hash(request.form["password"])
    # ok: vibeward.python.password_hashing.plaintext-password-storage
    # ruleid: vibeward.python.password_hashing.bcrypt-hashpw
    user.password_hash = bcrypt.hashpw(request.form["password"].encode(), bcrypt.gensalt())


def register_hashed_sql(conn):
    # ruleid: vibeward.python.password_hashing.werkzeug-generate-password-hash
    hashed = generate_password_hash(request.form["password"])
    # ok: vibeward.python.password_hashing.plaintext-password-storage
    conn.execute("INSERT INTO users (username, password) VALUES (?, ?)", (request.form["username"], hashed))


# ================================================================ more near-misses
import secrets


def near_misses(token):
    # ok: vibeward.python.password_hashing.passlib, vibeward.python.password_hashing.passlib-bcrypt-rounds
    ctx = SomeOtherContext(schemes=["bcrypt"], bcrypt__rounds=4)
    # ok: vibeward.python.password_hashing.argon2
    h = hashlib.blake2b(token.encode()).hexdigest()
    # ok: vibeward.python.password_hashing.hashlib-scrypt, vibeward.python.password_hashing.hashlib-pbkdf2
    k = secrets.token_bytes(32)
    return ctx, h, k


# ok: vibeward.python.password_hashing.django-password-hashers-setting
# ruleid: vibeward.python.password_hashing.weak-django-password-hasher
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# ok: vibeward.python.password_hashing.weak-django-password-hasher
# ruleid: vibeward.python.password_hashing.django-password-hashers-setting
PASSWORD_HASHERS = ["django.contrib.auth.hashers.ScryptPasswordHasher"]
