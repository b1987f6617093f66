# Test target for semgrep-rules/mfa/python.yml (parsed only, never run).
import pyotp
from django.utils.decorators import method_decorator
from django_otp.decorators import otp_required
from two_factor.views import OTPRequiredMixin
from webauthn import verify_authentication_response

# ================================================================ pyotp


def verify_code(user, code):
    # ruleid: vibeward.python.mfa.totp-default-interval
    totp = pyotp.TOTP(user.otp_secret)
    # ruleid: vibeward.python.mfa.pyotp-verify
    if not totp.verify(code, valid_window=1):
        return False
    # ruleid: vibeward.python.mfa.pyotp-verify, vibeward.python.mfa.totp-interval
    return pyotp.TOTP(user.otp_secret, interval=30).verify(code)


def provisioning(user):
    # ruleid: vibeward.python.mfa.totp-default-interval
    uri = pyotp.TOTP(user.otp_secret).provisioning_uri(name=user.email, issuer_name="Shop")
    # ok: vibeward.python.mfa.pyotp-verify
    ok = signer.verify(uri)
    return uri, ok


# ================================================================ Django

INSTALLED_APPS = [
    "django.contrib.auth",
    # ruleid: vibeward.python.mfa.django-otp
    "django_otp",
    # ruleid: vibeward.python.mfa.django-otp
    "django_otp.plugins.otp_totp",
    # ok: vibeward.python.mfa.django-otp
    "django_extensions",
]

MIDDLEWARE = [
    # ruleid: vibeward.python.mfa.django-otp
    "django_otp.middleware.OTPMiddleware",
]


# ruleid: vibeward.python.mfa.otp-required
@otp_required
def payouts(request):
    return None


# ruleid: vibeward.python.mfa.otp-required
class Billing(OTPRequiredMixin, TemplateView):
    pass


# ok: vibeward.python.mfa.otp-required
@login_required
def home(request):
    return None


# ================================================================ WebAuthn / Flask-Security


def finish_login(credential, challenge):
    # ruleid: vibeward.python.mfa.webauthn
    return verify_authentication_response(
        credential=credential,
        expected_challenge=challenge,
        expected_origin="https://shop.example",
        expected_rp_id="shop.example",
        credential_public_key=b"",
        credential_current_sign_count=0,
    )


class Config:
    # ruleid: vibeward.python.mfa.flask-security-two-factor
    SECURITY_TWO_FACTOR = True
    # ok: vibeward.python.mfa.flask-security-two-factor
    SECURITY_TRACKABLE = True
