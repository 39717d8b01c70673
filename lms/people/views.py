from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .forms import LoginForm
from .roles import user_roles


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    person = getattr(request.user, "person", None)
    organizations = list(person.organization.get_ancestors()) + [person.organization] if person else []
    return render(request, "people/profile.html", {
        "person": person,
        "organization_chain": organizations,
        "roles": sorted(user_roles(request.user)),
    })
