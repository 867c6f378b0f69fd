"""The MARA home page: what needs attention first (overdue action points), then meetings, the
month's analysis and open recommendations. Figures come from the services."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from mara.models import ActionStatus
from mara.services import analysis as analysis_service
from mara.services import meetings as meeting_service
from mara.services import recommendations as recommendation_service


@login_required
def mara_home(request):
    user = request.user
    if not meeting_service.can_read_mara(user):
        raise PermissionDenied
    today = timezone.localdate()
    month = analysis_service.current_month(today)
    last_month = analysis_service.previous_month(month)
    return render(request, "mara/home.html", {
        "overdue": meeting_service.overdue_action_points(user, today),
        "upcoming": meeting_service.upcoming_meetings(user, today),
        "recent": meeting_service.recent_meetings(user, today),
        "months": [
            {"month": m, "key": analysis_service.month_key(m), "analysis": analysis_service.current_revision(user, m)}
            for m in (month, last_month)
        ],
        "open_recommendations": recommendation_service.open_count(user),
        "can_edit_meetings": meeting_service.can_edit_meetings(user),
        "statuses": ActionStatus.choices,
        "today": today,
    })
