from .roles import STAFF_ROLES, TRAINER, user_roles


def current_person(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_person": None, "can_use_admin": False}
    roles = user_roles(user)
    return {
        "current_person": getattr(user, "person", None),
        "can_use_admin": user.is_superuser or bool(roles & {TRAINER, *STAFF_ROLES}),
    }
