"""How deep lists and objects may nest in incoming data.

No record needs more than a few levels (an actor's ``identifiers``: an object of lists of
objects), while a value nested hundreds of levels deep breaks whatever walks it recursively:
Python's JSON decoder and encoder (``RecursionError``), the API's renderer (orjson stops at 254
levels). Every way data comes in (the loader, the API, the admin's forms) refuses a value nested deeper than
``MAX_DEPTH`` as a validation error naming the field, and reads a JSON document of any depth
without running out of stack (``loads``, ``raw_decode``) so that it can say which field.
"""

import json
import re

MAX_DEPTH = 64
DEPTH_MESSAGE = f"Lists and objects nested more than {MAX_DEPTH} levels deep are not allowed."
# A document too deep for Python's decoder is read down to this depth, every deeper list or
# object read as an empty one: deep enough that the field holding it (inside a fixture
# object's ``fields``, say) is still more than MAX_DEPTH deep, and so refused.
KEPT_DEPTH = 2 * MAX_DEPTH

# A JSON string (skipped whole, brackets in it included) or a bracket.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def too_deep(value, limit=MAX_DEPTH):
    """Whether ``value`` (lists, tuples and dicts of anything) nests more than ``limit``
    levels deep; a string or number is no level, ``[]`` one, ``[[]]`` two. Iterative."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list | tuple):
            continue
        depth += 1
        if depth > limit:
            return True
        stack.extend((child, depth) for child in item)
    return False


def raw_decode(text, position=0, decoder=None):
    """``(value, end)`` of the JSON value starting at ``position`` of ``text``, as
    ``json.JSONDecoder.raw_decode`` gives it, at any depth: a value too deep for the decoder is
    read with every list and object deeper than ``KEPT_DEPTH`` levels emptied (too deep to be
    accepted anyway). ``json.JSONDecodeError`` as the decoder raises it."""
    decoder = decoder or json.JSONDecoder()
    try:
        return decoder.raw_decode(text, position)
    except RecursionError:
        pass
    shallow, offsets, end = _shallow_copy(text, position)
    try:
        value, _ = decoder.raw_decode(shallow)
    except json.JSONDecodeError as error:
        raise json.JSONDecodeError(error.msg, text, _original_position(offsets, error.pos)) from error
    return value, end


def loads(text, decoder=None):
    """``json.loads`` at any depth (``raw_decode``), with ``decoder`` if given."""
    start = len(text) - len(text.lstrip())
    value, end = raw_decode(text, start, decoder)
    if text[end:].strip():
        raise json.JSONDecodeError("Extra data", text, end)
    return value


def _shallow_copy(text, position):
    """The JSON value starting at ``position`` of ``text`` with the inside of every list and
    object deeper than ``KEPT_DEPTH`` left out; ``(offsets, end)``: where each kept piece
    starts, in the copy and in ``text``, and where the value ends in ``text``."""
    pieces, offsets = [], []
    kept_from, copied, depth = position, 0, 0
    for token in _TOKEN.finditer(text, position):
        mark = token.group()
        if mark[0] == '"':
            if depth == 0:
                break  # a string is a whole value: the decoder would not have recursed
            continue
        if mark in "[{":
            depth += 1
            if depth == KEPT_DEPTH:
                offsets.append((copied, kept_from))
                pieces.append(text[kept_from : token.end()])
                copied += token.end() - kept_from
            continue
        depth -= 1
        if depth == KEPT_DEPTH - 1:
            kept_from = token.start()
        if depth <= 0:
            offsets.append((copied, kept_from))
            pieces.append(text[kept_from : token.end()])
            return "".join(pieces), offsets, token.end()
    raise json.JSONDecodeError("Unterminated list or object", text, position)


def _original_position(offsets, position):
    """Where ``position`` of the shallow copy lies in the text it was copied from."""
    copied, original = offsets[0]
    for piece_copied, piece_original in offsets:
        if piece_copied > position:
            break
        copied, original = piece_copied, piece_original
    return original + position - copied
