"""Creating pages logs a line per page, search-index task and reference-index task (INFO):
noise for a bulk command, so the demo commands raise those loggers to WARNING while they run."""

import contextlib
import logging

NOISY_LOGGERS = ("wagtail", "django_tasks")


@contextlib.contextmanager
def quiet_page_logs(verbosity=1):
    if verbosity > 1:
        yield
        return
    loggers = [logging.getLogger(name) for name in NOISY_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)
