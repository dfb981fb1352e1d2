"""Natural keys: reading a record's own key and its references, and finding which exist.

A reference is written as a list (the natural key of the object it points to) or, for a
one-part key, as a plain value. A record's own key is made of its model's ``NATURAL_KEY``
fields, a reference among them standing for the referenced object's key. Every key is
normalised as its model does it (``normalize_natural_key``), so that "ru" and "RU" are one
country. ``existing_keys`` looks keys up in the database, one query per chunk.
"""

from itertools import islice

LOOKUP_CHUNK = 2000


class BadKey(Exception):
    """A reference or a natural key that cannot be read; the message says why, and ``field``
    names the field of the record's own key at fault (empty for a reference: its field is
    reported with it)."""

    def __init__(self, message, field=""):
        super().__init__(message)
        self.field = field


def as_key(value):
    """A reference as written in a record: a list (natural key) or a plain value."""
    if isinstance(value, list | tuple):
        if not value or any(part is None or isinstance(part, list | tuple | dict) for part in value):
            raise BadKey(f"{value!r} is not a natural key")
        return tuple(str(part) for part in value)
    if value is None or isinstance(value, dict | bool):
        raise BadKey(f"{value!r} is not a natural key")
    return (str(value),)


def key_of(target, value):
    """A reference to an object of ``target`` (a spec), as written, as its normalised natural
    key; ``BadKey`` when it is not one, or has not as many parts as the model's key."""
    key = target.normalize_key(as_key(value))
    if len(key) != len(target.model.NATURAL_KEY):
        raise BadKey(f"{value!r} is not a natural key of {target.label} ({len(target.model.NATURAL_KEY)} part(s))")
    return key


def record_key(spec, fields):
    """The natural key of the object a record describes, normalised as its model does."""
    parts = []
    for name, is_fk in spec.key_parts:
        value = fields.get(name)
        if value is None or value == "" or value == []:
            raise BadKey(f"the natural key field {name!r} is missing", name)
        if is_fk:
            try:
                parts.extend(key_of(spec.target(name), value))
            except BadKey as exc:
                raise BadKey(str(exc), name) from None
        elif isinstance(value, list | dict):
            raise BadKey(f"{name} must be a single value", name)
        else:
            parts.append(str(value))
    return spec.normalize_key(parts)


def reference_keys():
    """A function ``(target spec, reference as written) -> normalised natural key`` that
    works each reference out once: the same few references (countries, sources) recur on
    most records. It raises ``BadKey`` for a reference that is not a natural key."""
    normalized = {}

    def reference_key(target, value):
        # The type is part of the cache key: True == 1, yet only 1 is a valid reference.
        written = (type(value), tuple(value) if isinstance(value, list) else value)
        try:
            return normalized[(target, written)]
        except KeyError:
            pass
        except TypeError:  # an unhashable value: key_of reports it
            return key_of(target, value)
        key = normalized[(target, written)] = key_of(target, value)
        return key

    return reference_key


def chunks(iterable, size):
    """Lists of up to ``size`` items of ``iterable``, in order."""
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def existing_keys(spec, keys):
    """Map the keys that exist in the database to their primary keys: one query per chunk."""
    found = {}
    paths = spec.model.NATURAL_KEY
    for chunk in chunks(keys, LOOKUP_CHUNK):
        filters = {f"{path}__any_of": sorted({key[i] for key in chunk}) for i, path in enumerate(paths)}
        wanted = set(chunk)
        for row in spec.model._base_manager.filter(**filters).values_list("pk", *paths):
            key = spec.normalize_key(tuple(str(part) for part in row[1:]))
            if key in wanted:
                found[key] = row[0]
    return found
