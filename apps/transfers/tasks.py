"""Background work of the transfers app, through Django's Tasks API (``django-tasks``, its
database backend; a worker is ``manage.py db_worker``, started by ``python3 dev.py up``)."""

import datetime

from django.utils import timezone
from django_tasks import task


@task()
def recompute_queued():
    """Work through the findings queue (``apps.transfers.findings``) until it is empty;
    returns how many transfers were recomputed."""
    from apps.transfers.findings import process

    return process()


@task()
def refresh_ongoing():
    """Once a day: recompute the ongoing transfers' findings written on an earlier day, then
    schedule itself for the next day."""
    from apps.transfers.findings import process
    from apps.transfers.findings import refresh_ongoing as queue_ongoing

    queue_ongoing()
    done = process()
    refresh_ongoing.using(run_after=tomorrow_early()).enqueue()
    return done


def tomorrow_early():
    """Five past midnight tomorrow, in the project's time zone."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(0, 5)))
