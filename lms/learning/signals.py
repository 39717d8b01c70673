"""Signals learning sends to the apps that build on it (certificates reads learning; learning
imports none of them).

course_completed(sender, person, course, completed_at): an enrolment's completion was newly
recorded by lms.learning.completion.recompute. Sent inside the recompute's transaction (if any):
receivers that start background work should do so on commit."""

from django.dispatch import Signal

course_completed = Signal()
