"""Celery tasks of the MARA. Arguments are ids only."""

from celery import shared_task

from .services import meetings


@shared_task
def remind_overdue_action_points():
    """Beat, every hour: tell the officer following up an overdue action point, once per due date
    (mara.services.meetings.remind_overdue_action_points; a rerun creates nothing new)."""
    return meetings.remind_overdue_action_points()
