"""lms.wsgi: the WSGI application, with the objects loaded at start frozen out of the garbage
collector's full collections (bench/checkin.py's p99)."""

import gc
import importlib


def test_it_freezes_what_the_process_loaded_at_start():
    gc.unfreeze()
    try:
        import lms.wsgi

        importlib.reload(lms.wsgi)
        assert gc.get_freeze_count() > 10_000
        assert callable(lms.wsgi.application)
    finally:
        gc.unfreeze()
