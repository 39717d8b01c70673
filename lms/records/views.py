from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from . import archive
from .admin_views import archive_pdf_response


def _own_person(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404
    return person


@login_required
def my_archive(request):
    """The learner's own training archive (个人培训档案), for a year or all years."""
    person = _own_person(request)
    return render(request, "records/my_archive.html", {
        "archive": archive.build(person, archive.chosen_year(request, person))})


@login_required
def my_archive_pdf(request):
    person = _own_person(request)
    return archive_pdf_response(archive.build(person, archive.chosen_year(request, person)))
