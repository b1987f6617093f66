from datetime import timedelta

from celery import shared_task
from django.utils import timezone


@shared_task
# ruleid: vibeward.python.data_retention.retention-job
def purge_expired_sessions():
    cutoff = timezone.now() - timedelta(days=90)
    # ruleid: vibeward.python.data_retention.purge-expired
    AuditLog.objects.filter(created_at__lt=cutoff).delete()


def remove_user(user_id):
    # ok: vibeward.python.data_retention.purge-expired
    User.objects.filter(id=user_id).delete()


# ok: vibeward.python.data_retention.retention-job
def cleanup_cache():
    cache.clear()
