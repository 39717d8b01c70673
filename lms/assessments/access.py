"""Who may do what with assessment records in the admin. Every staff view also limits the
persons it shows to lms.people.scoping.visible_persons(user)."""


def can_grade(user):
    """Grade essays and look at answer sheets (the training office)."""
    return user.is_authenticated and user.has_perm("assessments.grade_attempt")


def can_view_results(user):
    """See quiz statistics and answer sheets of the persons in one's scope."""
    return user.is_authenticated and (user.has_perm("assessments.view_attempt") or can_grade(user))


def can_record_scores(user):
    """Enter or import offline assessment scores."""
    return user.is_authenticated and user.has_perm("assessments.change_offlinescore")


def can_view_scores(user):
    return user.is_authenticated and (user.has_perm("assessments.view_offlinescore") or can_record_scores(user))
