"""Hand-built single-row SQL for the one hot path where compiling the ORM's statements costs more
than the rest of the request: a QR check-in burst (hundreds of scans a minute, each reading its
session and person and creating one attendance record and its audit row; bench/checkin.py).

    record = AttendanceRecord(person=person, session=session, status=..., channel=...)
    if insert_with_history_if_absent(record, conflict_fields=("session", "person"), user=by, reason="QR check-in"):
        ...  # the record and its history row are written; else a record of the pair existed

Writes: the SQL is built once per model and database vendor. Values go through each field's
`pre_save` and `get_db_prep_save`, as `Model.save` prepares them (auto_now dates, time zones,
foreign keys). No model signals are sent: the caller writes what a receiver would have, here the
history row that django-simple-history's post_save receiver writes (the same columns and values;
lms.audit reads it). `INSERT … ON CONFLICT … DO NOTHING RETURNING` works on PostgreSQL and
SQLite ≥ 3.35.

Reads: `fetch_instance` runs a SELECT of one row and builds the model instance with
`Model.from_db` and the same value converters as the ORM (SQLite returns dates as text)."""

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

REQUEST_USER = object()  # the history row's default author: the user of the request being served

_statements = {}  # (model, vendor, conflict fields) -> (sql without RETURNING, the same RETURNING the pk, fields)


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
        _statements[key] = (sql, f"{sql} RETURNING {quote(model._meta.pk.column)}", fields)
    return _statements[key]


def _values(instance, fields, connection):
    return [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]


def _execute_returning_pk(instance, sql, params, connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    return True


def _insert(instance, conflict_fields, using) -> bool:
    connection = connections[using]
    _sql, returning_pk, fields = _statement(type(instance), connection, conflict_fields)
    return _execute_returning_pk(instance, returning_pk, _values(instance, fields, connection), connection)


def fetch_instance(model, fields, sql, params, using=DEFAULT_DB_ALIAS, extra=()):
    """The `model` instance of the first row `sql` returns (None if none), whose columns are
    `fields` (in the model's field order) and then one column for each name in `extra`, set as
    plain attributes. What the ORM does for a row, without its per-query compiling."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for field, value in zip(fields, row):
        column = field.get_col(model._meta.db_table)
        for convert in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
            value = convert(value, column, connection)
        values.append(value)
    instance = model.from_db(connection.alias, [field.attname for field in fields], values)
    for name, value in zip(extra, row[len(fields):]):
        setattr(instance, name, value)
    return instance


_history_models = {}


def history_model(model):
    """django-simple-history's historical model of `model`. (Its `history` descriptor builds a new
    manager class on every access, which costs more than the INSERT.)"""
    if model not in _history_models:
        _history_models[model] = getattr(model, model._meta.simple_history_manager_attribute).model
    return _history_models[model]


def _creation_history_row(instance, user, reason):
    """The unsaved history row django-simple-history writes after `instance` is created: its
    tracked fields, who (`user`; REQUEST_USER: the request's user when logged in, as simple-history
    does; None for the system) and why (`reason`)."""
    if user is REQUEST_USER:
        request = getattr(HistoricalRecords.context, "request", None)
        user = getattr(request, "user", None)
        user = user if user is not None and user.is_authenticated else None
    historical = history_model(type(instance))
    return historical(history_date=timezone.now(), history_type="+", history_change_reason=reason,
                      history_user_id=user.pk if user is not None else None,
                      **{field.attname: getattr(instance, field.attname) for field in historical.tracked_fields})


_statements_with_history = {}  # (model, conflict fields) -> (sql, record fields, history fields)


def _statement_with_history(model, connection, conflict_fields):
    """PostgreSQL: the record's INSERT … ON CONFLICT DO NOTHING and, from the row it returns (none
    on a conflict), its history row's INSERT: one statement. The history row's tracked columns come
    from the inserted row; its own (history_date, _type, _user, _change_reason) are parameters."""
    key = (model, conflict_fields)
    if key not in _statements_with_history:
        quote = connection.ops.quote_name
        insert_record, _returning_pk, record_fields = _statement(model, connection, conflict_fields)
        record_columns = {field.column for field in model._meta.concrete_fields}
        historical = history_model(model)
        history_fields = [field for field in historical._meta.concrete_fields if not field.primary_key]
        selected = [f"created.{quote(field.column)}" if field.column in record_columns else "%s"
                    for field in history_fields]
        sql = (f"WITH created AS ({insert_record} RETURNING *) "
               f"INSERT INTO {quote(historical._meta.db_table)} "
               f"({', '.join(quote(field.column) for field in history_fields)}) "
               f"SELECT {', '.join(selected)} FROM created RETURNING {quote(model._meta.pk.column)}")
        own_fields = [field for field in history_fields if field.column not in record_columns]
        _statements_with_history[key] = (sql, record_fields, own_fields)
    return _statements_with_history[key]


def insert_with_history_if_absent(instance, *, conflict_fields, user=REQUEST_USER, reason=None,
                                  using=DEFAULT_DB_ALIAS) -> bool:
    """Insert the unsaved `instance` unless a row with the same values of `conflict_fields` (the
    fields of a unique constraint) exists, and with it the history row django-simple-history would
    write, by `user` (by default the request's user when logged in; None for the system) for
    `reason`. True, with `instance.pk` set, when it was inserted. Where another transaction is
    inserting the same key, PostgreSQL waits for its outcome, so False means the row exists (SQLite
    has one writer at a time).

    Both rows are written in one transaction. On PostgreSQL that is one statement, which outside
    transaction.atomic() is a transaction by itself: a QR scan then costs one round trip to the
    database, not four (BEGIN, two INSERTs, COMMIT). Elsewhere the two INSERTs run in
    transaction.atomic() (without a savepoint inside a caller's transaction, which a failure rolls
    back anyway)."""
    connection = connections[using]
    conflict_fields = tuple(conflict_fields)
    if connection.vendor != "postgresql":
        with transaction.atomic(using=using, savepoint=False):
            if not _insert(instance, conflict_fields, using):
                return False
            _insert(_creation_history_row(instance, user, reason), (), using)
            return True
    sql, record_fields, history_fields = _statement_with_history(type(instance), connection, conflict_fields)
    params = _values(instance, record_fields, connection)
    params += _values(_creation_history_row(instance, user, reason), history_fields, connection)
    return _execute_returning_pk(instance, sql, params, connection)
