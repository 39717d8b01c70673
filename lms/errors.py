"""The server-error page (handler500).

A database that is unreachable for a moment (a restart, a failover, a dropped connection, SQLite
busy past its timeout) is not a fault in a request: the client gets 503 with Retry-After and a
"please try again" page, so phones and scripts retry, and nothing was half-applied (the request's
transaction rolled back). Anything else is a real error: 500, and the traceback goes to the log."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

RETRY_AFTER_SECONDS = 5


def server_error(request):
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)
