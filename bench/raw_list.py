"""The raw-SQL reference of ``bench/api_bench.py``: the first page of
``/api/v1/transfers/?supplier=<iso2>`` as an anonymous client gets it, served by a bare WSGI
app from one hand-written query (the page, its many-to-many lists as arrays, and the bounded
count in a scalar subquery) and ``orjson``; past ``API_EXACT_COUNT_LIMIT`` matching rows a
second statement asks the planner for its estimate, as the API does. No Django: this is the
ceiling the API is measured against.

    RAW_API_BASE=http://127.0.0.1:8001 DATABASE_URL=postgres://... gunicorn bench.raw_list:application

``RAW_API_BASE`` is the API's address, so that ``api_url`` and the links read as the API's.
``RAW_BINARY=1`` reads the rows in PostgreSQL's binary format, as the API's compiled reads do
(apps/common/compiled.py); by default they come as text, psycopg's default.
"""

import os
from urllib.parse import parse_qs, urlencode

import orjson
import psycopg

PAGE_SIZE = int(os.environ.get("API_PAGE_SIZE", "50"))
EXACT_COUNT_LIMIT = int(os.environ.get("API_EXACT_COUNT_LIMIT", "1000"))
BASE = os.environ.get("RAW_API_BASE", "http://127.0.0.1:8001").rstrip("/")
BINARY = os.environ.get("RAW_BINARY") == "1"

MATCHING = """
    FROM transfers_transfer t
    WHERE t.supplier_id = %(supplier)s AND t.review_status = 'published'
"""

PAGE = f"""
SELECT t.id, t.reference, t.review_status, s.iso2, r.iso2, sa.slug, ra.slug, t.category, t.items,
       t.quantity_low, t.quantity_high, t.quantity_unit, t.started_on, t.ended_on, t.date_precision,
       t.status, t.description,
       ARRAY(SELECT c.iso2 FROM transfers_transfer_via v JOIN geo_country c ON c.id = v.country_id
             WHERE v.transfer_id = t.id ORDER BY c.name, c.id),
       ARRAY(SELECT o.reference FROM transfers_transfer_in_exchange_for x
             JOIN transfers_transfer o ON o.id = x.to_transfer_id
             WHERE x.from_transfer_id = t.id AND o.review_status = 'published'
             ORDER BY o.started_on DESC, o.reference, o.id),
       ARRAY(SELECT so.url FROM transfers_transfer_sources ts JOIN evidence_source so ON so.id = ts.source_id
             WHERE ts.transfer_id = t.id ORDER BY so.published_on DESC, so.title, so.id),
       t.created_at, t.updated_at, t.version,
       CASE WHEN p.review_status = 'published' THEN p.reference END, t.value_low, t.value_high, t.value_unit,
       (SELECT count(*) FROM (SELECT 1 {MATCHING} LIMIT {EXACT_COUNT_LIMIT + 1}) bounded),
       ARRAY(SELECT a.slug FROM transfers_transfer_vessels tv JOIN actors_actor a ON a.id = tv.actor_id
             WHERE tv.transfer_id = t.id ORDER BY a.name, a.id)
  FROM transfers_transfer t
  JOIN geo_country s ON s.id = t.supplier_id
  JOIN geo_country r ON r.id = t.recipient_id
  LEFT JOIN actors_actor sa ON sa.id = t.supplier_actor_id
  LEFT JOIN actors_actor ra ON ra.id = t.recipient_actor_id
  LEFT JOIN transfers_transfer p ON p.id = t.part_of_id
 WHERE t.supplier_id = %(supplier)s AND t.review_status = 'published'
 ORDER BY t.started_on DESC, t.reference
 LIMIT {PAGE_SIZE + 1}
"""

_connection = None


def connection():
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        _connection.execute("SET TIME ZONE 'UTC'")
    return _connection


def _moment(value):
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date(value):
    return None if value is None else value.isoformat()


def _decimal(value):
    return None if value is None else format(value, "f")


_country_ids = {}


def country_id(cursor, iso2):
    """The id of a country (kept: countries do not change while the benchmark runs)."""
    if iso2 not in _country_ids:
        found = cursor.execute("SELECT id FROM geo_country WHERE iso2 = %s", [iso2]).fetchone()
        _country_ids[iso2] = found[0] if found else None
    return _country_ids[iso2]


def page(iso2):
    with connection().cursor(binary=BINARY) as cursor:
        supplier = country_id(cursor, iso2)
        rows = cursor.execute(PAGE, {"supplier": supplier}).fetchall()
        count = rows[0][27] if rows else 0
        exact = count <= EXACT_COUNT_LIMIT
        if not exact:
            plan = cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT t.id {MATCHING}", {"supplier": supplier}).fetchone()[0]
            count = max(int(plan[0]["Plan"]["Plan Rows"]), EXACT_COUNT_LIMIT + 1)
    results = [
        {
            "id": row[0],
            "api_url": f"{BASE}/api/v1/transfers/{row[1]}/",
            "review_status": row[2],
            "reference": row[1],
            "supplier": row[3],
            "recipient": row[4],
            "supplier_actor": row[5],
            "recipient_actor": row[6],
            "category": row[7],
            "items": row[8],
            "quantity_low": row[9],
            "quantity_high": row[10],
            "quantity_unit": row[11],
            "part_of": row[23],
            "value_low": _decimal(row[24]),
            "value_high": _decimal(row[25]),
            "value_unit": row[26],
            "started_on": _date(row[12]),
            "ended_on": _date(row[13]),
            "date_precision": row[14],
            "status": row[15],
            "description": row[16],
            "via": row[17],
            "in_exchange_for": row[18],
            "sources": row[19],
            "vessels": row[28],
            "created_at": _moment(row[20]),
            "updated_at": _moment(row[21]),
            "created_by": None,
            "updated_by": None,
            "version": row[22],
        }
        for row in rows[:PAGE_SIZE]
    ]
    more = len(rows) > PAGE_SIZE
    return {
        "count": count,
        "count_exact": exact,
        "next": f"{BASE}/api/v1/transfers/?{urlencode({'page': 2, 'supplier': iso2})}" if more else None,
        "previous": None,
        "results": results,
    }


def application(environ, start_response):
    query = parse_qs(environ.get("QUERY_STRING", ""))
    body = orjson.dumps(page(query.get("supplier", ["KP"])[0]))
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
