from django.urls import path

from . import staff_views, views

urlpatterns = [
    path("sessions/<int:session_id>/", views.session_detail, name="session-detail"),
    path("sessions/<int:session_id>/presence/", views.presence, name="session-presence"),
    path("sessions/<int:session_id>/leave/", views.request_leave, name="session-leave"),
    path("sessions/<int:session_id>/leave/<int:leave_id>/cancel/", views.cancel_leave, name="session-leave-cancel"),
    path("sessions/<int:session_id>/checked-in/", views.checkin_done, name="checkin-done"),
    path("checkin/<int:session_id>/<str:token>/", views.checkin_scan, name="checkin"),
    path("me/sessions/", views.my_sessions, name="my-sessions"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    # the training office, in the hall
    path("attendance/sessions/<int:session_id>/display/", staff_views.display, name="checkin-display"),
    path("attendance/sessions/<int:session_id>/display/state/", staff_views.display_json, name="checkin-display-state"),
    path("attendance/sessions/<int:session_id>/roll-call/", staff_views.roll_call, name="roll-call"),
    path("attendance/sessions/<int:session_id>/roll-call/rest-absent/", staff_views.roll_call_rest_absent,
         name="roll-call-rest-absent"),
    path("attendance/sessions/<int:session_id>/walk-in/", staff_views.admit_walk_in, name="roll-call-walk-in"),
    path("attendance/sessions/<int:session_id>/sign-in-sheet.pdf", staff_views.sign_in_sheet, name="sign-in-sheet"),
]
