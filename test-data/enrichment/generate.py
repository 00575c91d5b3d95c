#!/usr/bin/env python3
"""Generates the enrichment test data (products and customers as change streams and as tables)
and the independently computed enriched results of OrderRevenue over ../orders/orders.jsonl.

Usage:
    python3 test-data/enrichment/generate.py          # (re)write every file next to this script
    python3 test-data/enrichment/generate.py --check  # exit 1 if a file on disk differs

Python 3 standard library only, deterministic. Orders are parsed by the reference half of
../orders/generate.py (which shares no code with the Java pipelines); the temporal join here is
a plain scan over each key's versions, written without reference to the Java transforms:

    an order at time t joins the latest change of its key with change time <= t;
    a delete, or no change at or before t, means the key is not found.
"""

import argparse
import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDERS_DIR = HERE.parent / "orders"

_spec = importlib.util.spec_from_file_location("orders_reference", ORDERS_DIR / "generate.py")
orders_reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(orders_reference)
to_iso = orders_reference.to_iso
parse_instant = orders_reference.parse_instant
WINDOW_MS = orders_reference.WINDOW_MS

UNKNOWN_CATEGORY = "unknown"
SNAPSHOT_AT = "2026-02-28T00:00:00Z"  # the initial snapshot (op "r") of both tables

# ---------------------------------------------------------------------------------------------
# The change streams, as a person would write them: (time, op, row or key, note).
# Rows carry updated_at = the change time; deletes name the key only.
# ---------------------------------------------------------------------------------------------

PRODUCTS = [
    (SNAPSHOT_AT, "r", {"product_id": "P-100", "name": "Trail Running Shoes", "category": "footwear", "price_cents": 1999}, "snapshot"),
    (SNAPSHOT_AT, "r", {"product_id": "P-101", "name": "Rain Jacket", "category": "outerwear", "price_cents": 4500}, "snapshot"),
    (SNAPSHOT_AT, "r", {"product_id": "P-102", "name": "Wool Socks", "category": "footwear", "price_cents": 250}, "snapshot"),
    (SNAPSHOT_AT, "r", {"product_id": "P-103", "name": "GPS Watch", "category": "electronics", "price_cents": 12999}, "snapshot"),
    (SNAPSHOT_AT, "r", {"product_id": "P-104", "name": "Water Bottle", "category": "accessories", "price_cents": 799}, "snapshot"),
    (SNAPSHOT_AT, "r", {"product_id": "P-105", "name": "Ultralight Tent", "category": "camping", "price_cents": 34900}, "snapshot"),
    ("2026-03-01T10:30:00Z", "u", {"product_id": "P-103", "name": "GPS Watch", "category": "wearables", "price_cents": 12999}, "recategorised mid-stream"),
    ("2026-03-01T11:00:00Z", "u", {"product_id": "P-105", "name": "Ultralight Tent", "category": "camping", "price_cents": 32900}, "price only: a new version, same category"),
    ("2026-03-01T11:20:00Z", "u", {"product_id": "P-104", "name": "Water Bottle", "category": "hydration", "price_cents": 799}, "recategorised mid-stream"),
    ("2026-03-01T11:45:00Z", "d", {"product_id": "P-102"}, "deleted: its orders from 11:45 are not found"),
    ("2026-03-01T12:00:00Z", "c", {"product_id": "P-106", "name": "Headlamp", "category": "electronics", "price_cents": 2999}, "created; never ordered"),
    ("2026-03-01T12:05:00Z", "c", {"product_id": "P-102", "name": "Wool Socks", "category": "outlet", "price_cents": 199}, "re-created in another category"),
]

TIERS = ["standard", "standard", "silver", "gold"]
COUNTRIES = ["DE", "FR", "NL", "US", "GB"]


def customer(i, tier=None):
    return {"customer_id": f"C-{i:02d}", "name": f"Customer {i:02d}",
            "email": f"customer{i:02d}@example.com",
            "tier": tier or TIERS[i % len(TIERS)], "country": COUNTRIES[i % len(COUNTRIES)]}


CUSTOMERS = (
    # C-16 joins at 11:30 and C-20 never appears: both have orders.
    [(SNAPSHOT_AT, "r", customer(i), "snapshot") for i in range(1, 20) if i != 16]
    + [
        ("2026-03-01T10:40:00Z", "u", customer(5, "gold"), "upgraded"),
        ("2026-03-01T11:10:00Z", "u", customer(8, "gold"), "upgraded"),
        ("2026-03-01T11:30:00Z", "c", customer(16, "silver"), "signed up mid-stream"),
        ("2026-03-01T12:00:00Z", "u", customer(11, "silver"), "downgraded"),
    ]
)


def envelope(table, key_field, change, lsn):
    """A Debezium-style change event (JSON converter, schemas disabled)."""
    at, op, row, _ = change
    ts = parse_instant(at)
    after = None if op == "d" else dict(row, updated_at=at)
    before = None if op in ("c", "r") else {key_field: row[key_field]}
    return {
        "before": before,
        "after": after,
        "source": {"connector": "postgresql", "name": "kappa", "db": "kappa", "schema": "public",
                   "table": table, "snapshot": "true" if op == "r" else "false",
                   "ts_ms": ts, "lsn": lsn},
        "op": op,
        "ts_ms": ts + 250,  # when the connector saw it: later than the commit, never used for time
    }


def changelog_lines(table, key_field, changes):
    return [json.dumps(envelope(table, key_field, c, 1000 + 16 * i))
            for i, c in enumerate(changes)]


# ---------------------------------------------------------------------------------------------
# REFERENCE: reads the written change streams back and answers "which version at time t".
# ---------------------------------------------------------------------------------------------

def read_versions(path, key_field):
    """key -> [(change time ms, row or None for a delete)], in change-time order."""
    versions = {}
    for text in path.read_text().splitlines():
        ev = json.loads(text)
        t = ev["source"]["ts_ms"]
        if ev["op"] == "d":
            versions.setdefault(ev["before"][key_field], []).append((t, None))
        else:
            row = dict(ev["after"])
            row["updated_at_ms"] = parse_instant(row["updated_at"])
            assert row["updated_at_ms"] == t, "a row's updated_at must be its change time"
            versions.setdefault(row[key_field], []).append((t, row))
    for key, vs in versions.items():
        vs.sort(key=lambda v: v[0])
        assert len({t for t, _ in vs}) == len(vs), f"two changes of {key} at one time"
    return versions


def as_of(versions, key, t):
    """The row valid at t, or None (no version yet, or deleted)."""
    found = None
    for change_time, row in versions.get(key, []):
        if change_time <= t:
            found = row
        else:
            break
    return found


def current(versions):
    """The table as it is now: each key's last version, deletes removed."""
    return {k: vs[-1][1] for k, vs in sorted(versions.items()) if vs[-1][1] is not None}


def valid_orders(name="orders.jsonl"):
    lines = (ORDERS_DIR / name).read_text().splitlines()
    parsed, _, _ = orders_reference.analyse(lines)
    return [(i + 1, order) for i, (order, _, _) in enumerate(parsed) if order is not None]


def enrich(orders, products, customers):
    rows = []
    for line, o in orders:
        t = o["event_time_ms"]
        p = products(o["product_id"], t)
        c = customers(o["customer_id"], t)
        rows.append({
            "line": line, "order_id": o["order_id"], "event_time": to_iso(t),
            "product_id": o["product_id"],
            "category": p["category"] if p else None,
            "product_version": p["updated_at"] if p else None,
            "customer_id": o["customer_id"],
            "customer_tier": c["tier"] if c else None,
            "customer_version": c["updated_at"] if c else None,
            "currency": o["currency"], "window_start": to_iso(o["window_start"]),
            "revenue_cents": o["quantity"] * o["unit_price_cents"],
        })
    return rows


def category_revenue(enriched):
    groups = {}
    for e in enriched:
        key = (e["window_start"], e["category"] or UNKNOWN_CATEGORY, e["currency"])
        n, r = groups.get(key, (0, 0))
        groups[key] = (n + 1, r + e["revenue_cents"])
    return [{"category": cat, "currency": cur, "window_start": ws,
             "window_end": to_iso(parse_instant(ws) + WINDOW_MS), "order_count": n,
             "revenue_cents": r}
            for (ws, cat, cur), (n, r) in sorted(groups.items())]


def sql_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def load_sql(products_now, customers_now):
    out = ["-- Generated by test-data/enrichment/generate.py: the products and customers tables as",
           "-- they are now (the last version of every key in the change streams). Idempotent.",
           "BEGIN;"]
    for table, key, rows, cols in (
            ("products", "product_id", products_now,
             ["product_id", "name", "category", "price_cents", "updated_at"]),
            ("customers", "customer_id", customers_now,
             ["customer_id", "name", "email", "tier", "country", "updated_at"])):
        out.append(f"DELETE FROM {table};")
        for row in rows.values():
            values = ", ".join(sql_literal(row[c]) for c in cols)
            out.append(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({values});")
    out.append("COMMIT;")
    return "\n".join(out) + "\n"


def jsonl(rows):
    return "".join(json.dumps(r) + "\n" for r in rows)


def build():
    files = {
        "products.changelog.jsonl": "\n".join(changelog_lines("products", "product_id", PRODUCTS)) + "\n",
        "customers.changelog.jsonl": "\n".join(changelog_lines("customers", "customer_id", CUSTOMERS)) + "\n",
    }
    # The reference reads what was written, not the lists above.
    tmp = {}
    for name, text in files.items():
        path = HERE / (name + ".tmp")
        path.write_text(text)
        tmp[name] = path
    try:
        products = read_versions(tmp["products.changelog.jsonl"], "product_id")
        customers = read_versions(tmp["customers.changelog.jsonl"], "customer_id")
    finally:
        for path in tmp.values():
            path.unlink()

    orders = valid_orders()
    as_of_event_time = enrich(orders, lambda k, t: as_of(products, k, t),
                              lambda k, t: as_of(customers, k, t))
    products_now, customers_now = current(products), current(customers)
    with_todays_table = enrich(orders, lambda k, t: products_now.get(k),
                               lambda k, t: customers_now.get(k))

    # The data must exercise what it claims to.
    cats = {e["product_id"] + ":" + str(e["category"]) for e in as_of_event_time}
    for expected in ("P-103:electronics", "P-103:wearables", "P-104:accessories",
                     "P-104:hydration", "P-102:footwear", "P-102:None", "P-102:outlet"):
        assert expected in cats, f"no order enriched as {expected}"
    tiers = {e["customer_id"] + ":" + str(e["customer_tier"]) for e in as_of_event_time}
    for expected in ("C-16:None", "C-16:silver", "C-20:None", "C-05:gold"):
        assert expected in tiers, f"no order enriched as {expected}"
    assert category_revenue(as_of_event_time) != category_revenue(with_todays_table)

    small = enrich(valid_orders("small.jsonl"), lambda k, t: as_of(products, k, t),
                   lambda k, t: as_of(customers, k, t))
    files.update({
        "load.sql": load_sql(products_now, customers_now),
        "expected-small-category-revenue.jsonl": jsonl(category_revenue(small)),
        "expected-enriched-orders.jsonl": jsonl(as_of_event_time),
        "expected-category-revenue.jsonl": jsonl(category_revenue(as_of_event_time)),
        "expected-category-revenue-todays-table.jsonl": jsonl(category_revenue(with_todays_table)),
    })
    return files


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="compare with the files on disk instead of writing them")
    args = ap.parse_args(argv)
    files = build()
    if args.check:
        stale = [n for n, text in files.items()
                 if not (HERE / n).exists() or (HERE / n).read_text() != text]
        for n in stale:
            print(f"stale: {HERE / n}", file=sys.stderr)
        return 1 if stale else 0
    for n, text in files.items():
        with open(HERE / n, "w", newline="\n") as f:
            f.write(text)
        print(f"wrote {HERE / n}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
