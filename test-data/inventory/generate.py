#!/usr/bin/env python3
"""Generates the inventory job's test data: the inventory table's change stream and the orders.

Python 3, standard library only, deterministic. Writes the inputs, then runs reference.py (which
shares no code with this script nor with the Java job) to compute the expected outputs.

    python3 test-data/inventory/generate.py           # write the files
    python3 test-data/inventory/generate.py --check   # exit 1 if a file on disk is stale
"""
import json
import random
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = datetime(2026, 3, 1, 10, 0, 0, tzinfo=timezone.utc)


def at(seconds, millis=0):
    return BASE + timedelta(seconds=seconds, milliseconds=millis)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def epoch_ms(t):
    return int(t.timestamp() * 1000)


def change(op, product, quantity, when):
    """A Debezium change of the inventory table, committed at `when`; its source.lsn is set once
    the stream is in commit order (see number_lsns)."""
    row = None if op == "d" else {"product_id": product, "quantity": quantity, "updated_at": iso(when)}
    before = {"product_id": product, "quantity": quantity, "updated_at": iso(when)} if op == "d" else None
    return {
        "before": before,
        "after": row,
        "source": {"connector": "postgresql", "name": "kappa", "db": "kappa", "schema": "public",
                   "table": "inventory", "snapshot": "true" if op == "r" else "false",
                   "ts_ms": epoch_ms(when), "lsn": None},
        "op": op,
        "ts_ms": epoch_ms(when) + 250,
    }


def order(order_id, product, quantity, when, customer="C-01"):
    return {"order_id": order_id, "customer_id": customer, "product_id": product,
            "quantity": quantity, "unit_price_cents": 1999, "currency": "USD",
            "event_time": iso(when)}


def build():
    changes = []
    orders = []
    # Snapshot of the table at 10:00:00.
    for product, quantity in [("P-SHOE", 500), ("P-HAT", 1), ("P-MUG", 4), ("P-LAMP", 10),
                              ("P-DESK", 5), ("P-PEN", 6), ("P-CUP", 10)]:
        changes.append(change("r", product, quantity, at(0)))

    # P-HAT: restocked between two orders at the same millisecond (tie rule: the change first,
    # then orders by id), and sold out just before.
    orders.append(order("O-HAT-1", "P-HAT", 1, at(60)))
    changes.append(change("u", "P-HAT", 5, at(120)))
    orders.append(order("O-HAT-3", "P-HAT", 2, at(120)))  # same ms, listed first, applied last
    orders.append(order("O-HAT-2", "P-HAT", 3, at(120)))
    orders.append(order("O-HAT-4", "P-HAT", 1, at(150)))

    # P-MUG: orders listed (and, in the job tests, arriving) before the restock that precedes them
    # in event time, and before earlier orders.
    orders.append(order("O-MUG-3", "P-MUG", 5, at(250)))
    orders.append(order("O-MUG-2", "P-MUG", 3, at(230)))
    changes.append(change("u", "P-MUG", 10, at(200)))
    orders.append(order("O-MUG-1", "P-MUG", 2, at(100)))

    # P-LAMP: a stock-take at 10:02 finds 2 units, less than the orders after it take.
    orders.append(order("O-LAMP-1", "P-LAMP", 3, at(60)))
    orders.append(order("O-LAMP-2", "P-LAMP", 4, at(180)))
    orders.append(order("O-LAMP-3", "P-LAMP", 1, at(240)))
    changes.append(change("u", "P-LAMP", 2, at(120)))

    # P-DESK: deleted from the inventory table at 10:02; an order after that is oversold.
    orders.append(order("O-DESK-1", "P-DESK", 2, at(60)))
    changes.append(change("d", "P-DESK", 3, at(120)))
    orders.append(order("O-DESK-2", "P-DESK", 1, at(180)))

    # P-PEN: deleted and inserted again in one transaction at 10:02 (both changes share their
    # commit time; the stream's order, source.lsn, puts the insert last), then ordered.
    changes.append(change("d", "P-PEN", 6, at(120)))
    changes.append(change("c", "P-PEN", 4, at(120)))
    orders.append(order("O-PEN-1", "P-PEN", 1, at(150)))

    # P-CUP: updated 10 -> 8 -> 5 in one transaction at 10:03 (in the stream's order, not by
    # quantity), then an order for 6.
    changes.append(change("u", "P-CUP", 8, at(180)))
    changes.append(change("u", "P-CUP", 5, at(180)))
    orders.append(order("O-CUP-1", "P-CUP", 6, at(220)))

    # P-GHOST: never in the inventory table.
    orders.append(order("O-GHOST-1", "P-GHOST", 1, at(300)))

    # P-SHOE: the viral burst, 10:01 to 10:06, with a restock to 300 units at 10:03:30.000 and an
    # order in that very millisecond.
    rng = random.Random(13)
    burst = []
    for i in range(400):
        when = at(60, rng.randrange(0, 300_000))
        burst.append(order(f"O-SHOE-{i + 1:04d}", "P-SHOE", rng.choice([1, 1, 2, 3]), when,
                           customer=f"C-{rng.randrange(1, 200):03d}"))
    burst.append(order("O-SHOE-TIE", "P-SHOE", 2, at(210)))
    changes.append(change("u", "P-SHOE", 300, at(210)))
    # Arrival order: mostly by time, with a shuffle of neighbours (out of order by seconds).
    burst.sort(key=lambda o: o["event_time"])
    for i in range(0, len(burst) - 1, 7):
        burst[i], burst[i + 1] = burst[i + 1], burst[i]
    # Other products keep selling during the burst.
    for i in range(20):
        orders.append(order(f"O-CAP-{i + 1:02d}", "P-CAP", 1, at(65 + 13 * i)))
    changes.append(change("c", "P-CAP", 15, at(30)))

    orders.extend(burst)
    orders.sort(key=lambda o: o["event_time"][:16])  # arrival: by minute, disordered within it
    changes.sort(key=lambda c: c["source"]["ts_ms"])  # commit order; stable within a transaction
    for i, c in enumerate(changes):
        c["source"]["lsn"] = 1016 + 16 * i  # the write-ahead log's order is the stream's

    order_lines = [json.dumps(o) for o in orders]
    # Bad records: malformed JSON, and an order that breaks the rules (quantity 0).
    order_lines.insert(40, '{"order_id": "O-BAD-1", "product_id": "P-SHOE", "quantity": ')
    order_lines.insert(80, json.dumps(order("O-BAD-2", "P-SHOE", 0, at(90))))
    change_lines = [json.dumps(c) for c in changes]
    change_lines.insert(3, '{"op": "u", "after": {"product_id": "P-HAT"}, "source": '
                           '{"table": "inventory", "ts_ms": 1772359260000}}')
    return {
        "orders.jsonl": "\n".join(order_lines) + "\n",
        "inventory.changelog.jsonl": "\n".join(change_lines) + "\n",
    }


def main():
    check = "--check" in sys.argv[1:]
    files = build()
    stale = []
    for name, text in files.items():
        path = HERE / name
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    args = [sys.executable, str(HERE / "reference.py")] + (["--check"] if check else [])
    if subprocess.call(args) != 0:
        stale.append("expected files")
    if stale:
        print("stale: " + ", ".join(stale), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
