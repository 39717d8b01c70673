"""Log in with a mobile phone number (what learners know) or a username (staff, demo accounts)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .models import Person


class PhoneOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        User = get_user_model()
        username = username.strip()
        user = User.objects.filter(username=username).first()
        if user is None:
            person = Person.objects.select_related("user").filter(phone=username).first()
            user = person.user if person else None
        if user is None:
            User().set_password(password)  # same work as a real check, against user enumeration by timing
            return None
        person = getattr(user, "person", None)
        if person is not None and not person.is_active:
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def lockout_username(request, credentials=None):
    """The name django-axes counts failures under: the account's username whether the person typed
    it or their mobile number, so the two spellings share one failure count."""
    typed = (credentials or {}).get("username") or (request.POST.get("username") if request else None) or ""
    typed = typed.strip()
    person = Person.objects.select_related("user").filter(phone=typed).first() if typed else None
    return person.user.username if person else typed


def client_address(request):
    """The client's address: REMOTE_ADDR, or, behind a trusted proxy, the header it sets
    (settings.CLIENT_IP_HEADER, e.g. "HTTP_X_REAL_IP"; its first address). Login throttling
    (AXES_CLIENT_IP_CALLABLE) and the certificate-verification rate limit both count by it, so
    behind a proxy they do not lump every visitor together."""
    from django.conf import settings

    header = settings.CLIENT_IP_HEADER
    value = request.META.get(header, "") if header else ""
    return value.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")
