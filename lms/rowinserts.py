"""Hand-built single-row INSERTs for the one hot write path where compiling the ORM's statements
costs more than the rest of the request: a QR check-in burst (hundreds of scans a minute, each
creating one attendance record and its audit row; bench/checkin.py).

    record = AttendanceRecord(person=person, session=session, status=..., channel=...)
    if insert_if_absent(record, conflict_fields=("session", "person")):
        insert_history_row(record, "+", user=by, reason="QR check-in")

The SQL is built once per model and database vendor. Values go through each field's `pre_save`
and `get_db_prep_save`, as `Model.save` prepares them (auto_now dates, time zones, foreign keys).
No model signals are sent: the caller writes what a receiver would have, here the history row that
django-simple-history's post_save receiver writes (the same columns and values; lms.audit reads
it). `INSERT … ON CONFLICT … DO NOTHING RETURNING` works on PostgreSQL and SQLite ≥ 3.35."""

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from simple_history.models import HistoricalRecords

REQUEST_USER = object()  # insert_history_row's default: the user of the request being served

_statements = {}  # (model, vendor, conflict fields) -> (sql, fields)


def _statement(model, connection, conflict_fields):
    key = (model, connection.vendor, conflict_fields)
    if key not in _statements:
        quote = connection.ops.quote_name
        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        if conflict_fields:
            columns = ", ".join(quote(model._meta.get_field(name).column) for name in conflict_fields)
            sql += f" ON CONFLICT ({columns}) DO NOTHING"
        _statements[key] = (f"{sql} RETURNING {quote(model._meta.pk.column)}", fields)
    return _statements[key]


def _insert(instance, conflict_fields, using) -> bool:
    connection = connections[using]
    sql, fields = _statement(type(instance), connection, conflict_fields)
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = using
    return True


def insert_if_absent(instance, *, conflict_fields, using=DEFAULT_DB_ALIAS) -> bool:
    """Insert the unsaved `instance` unless a row with the same values of `conflict_fields` (the
    fields of a unique constraint) exists. True, with `instance.pk` set, when it was inserted.
    Where another transaction is inserting the same key, PostgreSQL waits for its outcome, so
    False means the row exists (SQLite has one writer at a time)."""
    return _insert(instance, tuple(conflict_fields), using)


_history_models = {}


def history_model(model):
    """django-simple-history's historical model of `model`. (Its `history` descriptor builds a new
    manager class on every access, which costs more than the INSERT.)"""
    if model not in _history_models:
        _history_models[model] = getattr(model, model._meta.simple_history_manager_attribute).model
    return _history_models[model]


def insert_history_row(instance, history_type, *, user=REQUEST_USER, reason=None, using=DEFAULT_DB_ALIAS):
    """Write the history row django-simple-history writes after a save of `instance` ("+" created,
    "~" changed): its tracked fields as they are now, who (`user`; by default the request's user
    when logged in, as simple-history does; None for the system) and why (`reason`)."""
    if user is REQUEST_USER:
        request = getattr(HistoricalRecords.context, "request", None)
        user = getattr(request, "user", None)
        user = user if user is not None and user.is_authenticated else None
    historical = history_model(type(instance))
    row = historical(history_date=timezone.now(), history_type=history_type, history_change_reason=reason,
                     history_user_id=user.pk if user is not None else None,
                     **{field.attname: getattr(instance, field.attname) for field in historical.tracked_fields})
    _insert(row, (), using)
    return row
