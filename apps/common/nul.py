"""NUL characters (``\\x00``) in incoming data.

PostgreSQL cannot store a NUL in a text or JSON value: a write fails with ``DataError`` (and
a lookup by such a value fails too), where SQLite takes it silently. Every way data comes in
(the loader, the API) refuses it first, as a validation error naming the field; a record's
address with one matches no public page (``KEY_SEGMENT``).
"""

NUL = "\x00"
NUL_MESSAGE = "A NUL character (\\x00) is not allowed: the database cannot store it."
# A record's key as one segment of a page's address (a URL pattern): any text but a slash and a
# NUL. No record's key holds a NUL, so an address with one matches no page and is a 404 before
# the database is asked for it.
KEY_SEGMENT = r"[^/\x00]+"


def nul_path(value):
    """Where ``value`` (a string, or lists and objects of them, object keys included) holds a
    NUL: None when nowhere, ``""`` for the value itself, else a path such as ``["un_ref"]`` or
    ``[2]``, or ``["un\\x00"] (the key)`` for a key. The walk is iterative: deep JSON is fine;
    the path is worked out only for a value that holds a NUL."""
    if not _holds_nul(value):
        return None
    stack = [((), value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return _path_text(path)
        elif isinstance(item, dict):
            children = []
            for key, child in item.items():
                if isinstance(key, str) and NUL in key:
                    return _path_text((*path, key)) + " (the key)"
                children.append(((*path, key), child))
            stack.extend(reversed(children))
        elif isinstance(item, list | tuple):
            stack.extend(((*path, index), child) for index, child in reversed(list(enumerate(item))))
    return None


def _holds_nul(value):
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and NUL in key:
                    return True
                stack.append(child)
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def nul_message(path):
    """The message for a NUL found at ``path`` (as ``nul_path`` gives it)."""
    return NUL_MESSAGE if not path else f"{NUL_MESSAGE} (at {path})"


def _path_text(path):
    return "".join(f"[{part!r}]" if isinstance(part, str) else f"[{part}]" for part in path)
