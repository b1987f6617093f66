# Test target for semgrep-rules/encryption_at_rest/python.yml (parsed only, never run).
import os
import secrets

from Crypto.Cipher import AES, DES, ARC4
from Crypto.Random import get_random_bytes
from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from django.db import models
from django_cryptography.fields import encrypt
from fernet_fields import EncryptedTextField
from sqlalchemy import Column, Integer, String
from sqlalchemy_utils import StringEncryptedType
from sqlalchemy_utils.types.encrypted.encrypted_type import AesGcmEngine

# ================================================================ evidence

# ruleid: vibeward.python.encryption_at_rest.fernet
fernet = Fernet(os.environ["FIELD_ENCRYPTION_KEY"])
token = fernet.encrypt(b"ssn")
# ruleid: vibeward.python.encryption_at_rest.fernet
rotating = MultiFernet([Fernet(k1), Fernet(k2)])


def seal(data, aad):
    # ruleid: vibeward.python.encryption_at_rest.aes-key-bits
    key = AESGCM.generate_key(bit_length=256)
    # ruleid: vibeward.python.encryption_at_rest.aead
    aesgcm = AESGCM(key)
    nonce = os.urandom(12)
    return nonce + aesgcm.encrypt(nonce, data, aad)


def seal_chacha(key, data):
    # ruleid: vibeward.python.encryption_at_rest.aead
    return ChaCha20Poly1305(key).encrypt(os.urandom(12), data, None)


def cbc(key, iv, padded):
    # ruleid: vibeward.python.encryption_at_rest.aes-cipher
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def pycryptodome_gcm(key, data):
    # ruleid: vibeward.python.encryption_at_rest.aes-cipher
    cipher = AES.new(key, AES.MODE_GCM)
    return cipher.encrypt_and_digest(data)


class Patient(models.Model):
    # ruleid: vibeward.python.encryption_at_rest.encrypted-field
    ssn = EncryptedTextField()
    # ruleid: vibeward.python.encryption_at_rest.django-cryptography-encrypt
    diagnosis = encrypt(models.TextField())
    # ok: vibeward.python.encryption_at_rest.encrypted-field
    name = models.CharField(max_length=100)


class Account(Base):
    __tablename__ = "accounts"
    id = Column(Integer, primary_key=True)
    # ruleid: vibeward.python.encryption_at_rest.encrypted-field
    iban = Column(StringEncryptedType(String, get_key, AesGcmEngine))


# ================================================================ violations


def legacy_des(key, data):
    # ruleid: vibeward.python.encryption_at_rest.weak-cipher
    return DES.new(key, DES.MODE_CBC, iv=b"12345678").encrypt(data)


def legacy_rc4(key, data):
    # ruleid: vibeward.python.encryption_at_rest.weak-cipher
    return Cipher(algorithms.ARC4(key), mode=None).encryptor().update(data)


def ecb_cryptography(key, data):
    # ruleid: vibeward.python.encryption_at_rest.ecb-mode
    return Cipher(algorithms.AES(key), modes.ECB()).encryptor().update(data)


def ecb_pycryptodome(key, data):
    # ruleid: vibeward.python.encryption_at_rest.ecb-mode
    return AES.new(key, AES.MODE_ECB).encrypt(data)


def small_key():
    # ruleid: vibeward.python.encryption_at_rest.aes-128-key
    key = AESGCM.generate_key(bit_length=128)
    return key


def small_key_inline(data):
    # ruleid: vibeward.python.encryption_at_rest.aes-128-key
    return AESGCM(os.urandom(16)).encrypt(os.urandom(12), data, None)


def small_key_var(data):
    key = get_random_bytes(16)
    # ruleid: vibeward.python.encryption_at_rest.aes-128-key
    cipher = AES.new(key, AES.MODE_GCM)
    return cipher


def big_key_var(data):
    key = get_random_bytes(32)
    # ok: vibeward.python.encryption_at_rest.aes-128-key
    # ruleid: vibeward.python.encryption_at_rest.aes-cipher
    cipher = AES.new(key, AES.MODE_GCM)
    return cipher


def iv_not_key(key):
    iv = os.urandom(16)
    # ok: vibeward.python.encryption_at_rest.aes-128-key
    # ruleid: vibeward.python.encryption_at_rest.aes-cipher
    return Cipher(algorithms.AES(key), modes.CTR(iv))


# ================================================================ more near-misses
import hashlib
from cryptography.hazmat.primitives import hashes, hmac


def near_misses(key, data):
    # ok: vibeward.python.encryption_at_rest.fernet
    digest = hashlib.sha256(data).hexdigest()
    # ok: vibeward.python.encryption_at_rest.aead
    mac = hmac.HMAC(key, hashes.SHA256())
    # ok: vibeward.python.encryption_at_rest.aes-key-bits
    # ruleid: vibeward.python.encryption_at_rest.aes-128-key
    weak = AESGCM.generate_key(bit_length=128)
    # ok: vibeward.python.encryption_at_rest.aes-cipher, vibeward.python.encryption_at_rest.ecb-mode
    # ruleid: vibeward.python.encryption_at_rest.weak-cipher
    blow = Cipher(algorithms.Blowfish(key), modes.CBC(b"12345678"))
    # ok: vibeward.python.encryption_at_rest.weak-cipher
    strong = Cipher(algorithms.ChaCha20(key, b"0" * 16), mode=None)
    # ok: vibeward.python.encryption_at_rest.django-cryptography-encrypt
    enc = fernet.encrypt(data)
    return digest, mac, weak, blow, strong, enc
