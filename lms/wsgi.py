import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.production")
application = get_wsgi_application()

# Everything loaded so far (Django, Wagtail, the apps: hundreds of thousands of objects) lives as
# long as the process. Frozen, the cyclic garbage collector stops going through it again on every
# full collection, which cost a request a pause of several ms now and then: under a QR check-in
# burst, that was much of the p99 (bench/checkin.py).
gc.freeze()
