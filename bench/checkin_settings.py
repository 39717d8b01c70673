"""Settings for bench/checkin.py's gunicorn server: the heartbeat bench's settings (real base
settings, quiet logs) with a URLconf that adds a GET no-op floor, and a fixed SECRET_KEY the load
generator shares to compute the rotating check-in tokens."""

import os

from heartbeat_settings import *  # noqa: F401,F403

ROOT_URLCONF = "checkin_urls"
SECRET_KEY = os.environ["BENCH_SECRET_KEY"]
