from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from .access import can_read_record, visible_rotations
from .models import Rotation
from .pdf import render_record


@require_GET
def record_pdf(request, pk):
    """The rotation record form: for HR/superusers in scope and the person themselves. Staff who
    can see the person but may not manage rotations get 403; anyone else 404 (no hint it exists)."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    rotation = get_object_or_404(
        Rotation.objects.select_related("person__organization", "home_organization", "host_organization"), pk=pk)
    if not can_read_record(request.user, rotation):
        if visible_rotations(request.user).filter(pk=rotation.pk).exists():
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        raise Http404
    response = HttpResponse(render_record(rotation), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="rotation-{rotation.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
