# Test target for semgrep-rules/consent_tracking/python.yml (parsed only, never run).
from django.db import models
from django.utils import timezone
from sqlalchemy import Boolean, Column, DateTime


class Profile(models.Model):
    user = models.OneToOneField("auth.User", on_delete=models.CASCADE)
    # ruleid: vibeward.python.consent_tracking.consent-field
    marketing_consent = models.BooleanField(default=False)
    # ruleid: vibeward.python.consent_tracking.consent-field
    consent_given_at = models.DateTimeField(null=True)
    # ok: vibeward.python.consent_tracking.consent-field
    newsletter_sent_at = models.DateTimeField(null=True)


class Customer(Base):
    # ruleid: vibeward.python.consent_tracking.consent-field
    analytics_opt_in = Column(Boolean, default=False)


# ruleid: vibeward.python.consent_tracking.consent-function
def record_consent(request):
    profile = request.user.profile
    # ruleid: vibeward.python.consent_tracking.consent-record
    profile.marketing_consent = True
    # ruleid: vibeward.python.consent_tracking.consent-record
    profile.consent_given_at = timezone.now()
    profile.save()
    # ruleid: vibeward.python.consent_tracking.consent-record
    ConsentRecord.objects.create(user=request.user, purpose="marketing", granted=True)
    # ok: vibeward.python.consent_tracking.consent-record
    profile.consent_given_at = None


# ok: vibeward.python.consent_tracking.consent-function
def consent_page(request):
    return render(request, "consent.html")
