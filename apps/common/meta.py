"""What the machinery reads off a tracked model: its bookkeeping fields, its natural key and
how a key is written as text.

This module imports nothing of the project, so every other module of ``apps.common`` may use
it. A natural key is a tuple of lookup paths on the model (``Provision.NATURAL_KEY`` is
``("resolution__symbol", "paragraph")``); fixtures write it as a list of values, CSV files
and query parameters as those values joined with ``KEY_SEPARATOR``.
"""

# The fields every tracked record carries for its bookkeeping, which the record's content is not.
BOOKKEEPING = ("created_at", "updated_at", "created_by", "updated_by", "version")

# A compound natural key written as one text (CSV cells, query parameters): "S/RES/1718 (2006)|8(b)".
KEY_SEPARATOR = "|"
# The items of a list written as one CSV cell: "KP;RU", "alias one;alias two".
LIST_SEPARATOR = ";"


def resolve_path(instance, path):
    """Follow a ``a__b__c`` lookup path on an instance, returning None past a null relation."""
    value = instance
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def natural_key_of(instance, paths):
    """The natural key of ``instance`` (a record, or a historical row of one) read along
    ``paths``, its model's ``NATURAL_KEY``: a tuple of values."""
    return tuple(resolve_path(instance, path) for path in paths)


def key_text(key):
    """A natural key as one text: the values of a compound key joined with ``KEY_SEPARATOR``."""
    if isinstance(key, list | tuple):
        return KEY_SEPARATOR.join(str(part) for part in key)
    return str(key)


def split_key(text, parts):
    """The values of a key written as text, for a key of ``parts`` values (a one-value key is
    never split: it may contain the separator)."""
    return text.split(KEY_SEPARATOR) if parts > 1 else [text]


def key_paths_to_select(model):
    """Relations to follow so that ``model``'s natural key reads without a query."""
    return sorted({path.rsplit("__", 1)[0] for path in getattr(model, "NATURAL_KEY", ()) if "__" in path})


def direct_relations(model):
    """The foreign keys of ``model`` other than bookkeeping: what its ``__str__`` may read."""
    return [f.name for f in model._meta.concrete_fields if f.is_relation and f.name not in BOOKKEEPING]
