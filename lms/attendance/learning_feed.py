"""Attendance reports to learning (completion and 学时): every session is a course activity,
and every attendance status change is a result. Learning never imports attendance."""
