"""Reading the activity log (core.models.ActivityEntry): supervisors, per document and per user, only at
the locations they work at (superusers: everywhere)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.models import ActivityEntry
from core.permissions import require_perm
from picking.selectors.picks import visible_filter


def activity_entries(
    *,
    user: Any,
    document: str = "",
    document_type: str = "",
    document_id: int | None = None,
    username: str = "",
) -> QuerySet[ActivityEntry]:
    """The entries the user may read, newest first: of one document (its number, or type and id), of one
    user (their username), or all. Entries outlive the objects they describe."""
    require_perm(user, "core.view_activityentry", _("The activity log is for supervisors. Ask a supervisor."))
    entries = ActivityEntry.objects.filter(visible_filter(user)).order_by("-at", "-pk")
    if document:
        entries = entries.filter(document_no=document)
    if document_type:
        entries = entries.filter(document_type=document_type)
    if document_id is not None:
        entries = entries.filter(document_id=document_id)
    if username:
        entries = entries.filter(username=username)
    return entries
