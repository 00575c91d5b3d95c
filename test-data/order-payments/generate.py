#!/usr/bin/env python3
"""Generates test-data/order-payments/events.jsonl: orders and payments in arrival order.

Deterministic (seeded), Python 3 standard library only. The named cases of issue 13 come first,
then a seeded bulk of ordinary orders; the expected outputs are computed by reference.py, which
reads only events.jsonl and shares no code with this script or the job.

    python3 test-data/order-payments/generate.py          # write events.jsonl and expected-*
    python3 test-data/order-payments/generate.py --check  # exit 1 if a file on disk differs
"""
import json
import os
import random
import subprocess
import sys
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = datetime(2026, 3, 1, 10, 0, 0, tzinfo=timezone.utc)
MINUTE = 60_000


def iso(ms):
    """An ISO-8601 UTC instant with milliseconds only when they are not zero."""
    t = BASE + timedelta(milliseconds=ms)
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    if ms % 1000:
        text += ".%03d" % (ms % 1000)
    return text + "Z"


def order(order_id, at, quantity, unit_price, currency="USD", customer="C-1", product="P-1"):
    return {"order_id": order_id, "customer_id": customer, "product_id": product,
            "quantity": quantity, "unit_price_cents": unit_price, "currency": currency,
            "event_time": iso(at)}


def payment(payment_id, order_id, at, amount, status="captured", currency="USD",
            method="card", customer="C-1"):
    return {"payment_id": payment_id, "order_id": order_id, "customer_id": customer,
            "amount_cents": amount, "currency": currency, "method": method,
            "status": status, "event_time": iso(at)}


def named_cases():
    """(arrival ms, line) for each case the issue names, and the boundaries around them."""
    lines = []

    def add(arrival, record):
        lines.append((arrival, json.dumps(record)))

    # 1. An ordinary paid order.
    add(0, order("O-0001", 0, 2, 5000))
    add(2 * MINUTE + 500, payment("PAY-0001", "O-0001", 2 * MINUTE, 10000))
    # 2. A payment before its order (30 s before, and arriving before it).
    add(60_000, payment("PAY-0002", "O-0002", 30_000, 2500))
    add(61_000, order("O-0002", 60_000, 1, 2500))
    # 3. A payment after the timeout by one millisecond: the order is UNPAID, the payment an orphan.
    add(2 * MINUTE, order("O-0003", 2 * MINUTE, 1, 4000))
    add(17 * MINUTE + 1 + 300, payment("PAY-0003", "O-0003", 17 * MINUTE + 1, 4000))
    # 3b. Exactly at the bounds: 15 min after, and 1 min before, both inclusive.
    add(3 * MINUTE, order("O-0004", 3 * MINUTE, 1, 1200))
    add(18 * MINUTE + 200, payment("PAY-0004", "O-0004", 18 * MINUTE, 1200))
    add(3 * MINUTE + 100, payment("PAY-0005", "O-0005", 3 * MINUTE, 700))
    add(4 * MINUTE, order("O-0005", 4 * MINUTE, 1, 700))
    # 4. Two partial payments that add up, and one that falls short.
    add(5 * MINUTE, order("O-0006", 5 * MINUTE, 3, 3000))
    add(6 * MINUTE + 10, payment("PAY-0006", "O-0006", 6 * MINUTE, 4000))
    add(11 * MINUTE + 10, payment("PAY-0007", "O-0006", 11 * MINUTE, 5000))
    add(5 * MINUTE + 5, order("O-0007", 5 * MINUTE, 3, 3000))
    add(7 * MINUTE + 5, payment("PAY-0008", "O-0007", 7 * MINUTE, 3000))
    # 5. A duplicate payment: the same payment_id delivered twice counts once.
    add(6 * MINUTE, order("O-0008", 6 * MINUTE, 1, 5000))
    add(8 * MINUTE, payment("PAY-0009", "O-0008", 8 * MINUTE - 100, 5000))
    add(8 * MINUTE + 20_000, payment("PAY-0009", "O-0008", 8 * MINUTE - 100, 5000))
    # 6. An orphan: a payment for an order that never comes.
    add(9 * MINUTE, payment("PAY-0010", "O-9999", 9 * MINUTE, 1999))
    # 7. A declined then a captured payment.
    add(10 * MINUTE, order("O-0009", 10 * MINUTE, 1, 8000))
    add(11 * MINUTE + 1, payment("PAY-0011", "O-0009", 11 * MINUTE, 8000, status="declined"))
    add(12 * MINUTE + 1, payment("PAY-0012", "O-0009", 12 * MINUTE, 8000, method="wallet"))
    # 8. Only a declined, or a refunded, payment: UNPAID, with what was tried.
    add(13 * MINUTE, order("O-0010", 13 * MINUTE, 1, 1500))
    add(14 * MINUTE, payment("PAY-0013", "O-0010", 14 * MINUTE, 1500, status="declined"))
    add(13 * MINUTE + 1, order("O-0011", 13 * MINUTE, 1, 1500))
    add(15 * MINUTE, payment("PAY-0014", "O-0011", 15 * MINUTE, 1500, status="refunded"))
    # 9. Overpaid, and paid in another currency (not counted).
    add(16 * MINUTE, order("O-0012", 16 * MINUTE, 1, 1000))
    add(17 * MINUTE, payment("PAY-0015", "O-0012", 17 * MINUTE, 1500))
    add(16 * MINUTE + 1, order("O-0013", 16 * MINUTE, 1, 1000, currency="EUR"))
    add(17 * MINUTE + 2, payment("PAY-0016", "O-0013", 17 * MINUTE, 1000, currency="USD"))
    # 10. Bad records: dead letters with their line, never dropped.
    lines.append((18 * MINUTE, '{"order_id": "O-BAD", "quantity": '))
    add(18 * MINUTE + 1, payment("PAY-0017", "O-0012", 18 * MINUTE, 100, status="pending"))
    return lines


def bulk(rng, count):
    """Ordinary orders from 20 min on, each paid in one of a few ways, arriving up to 40 s late."""
    lines = []
    for i in range(count):
        order_id = "O-%04d" % (100 + i)
        at = 20 * MINUTE + i * 15_000 + rng.randrange(15_000)
        quantity = rng.randrange(1, 4)
        price = rng.randrange(100, 10_000)
        total = quantity * price
        customer = "C-%d" % rng.randrange(1, 30)
        lines.append((at + rng.randrange(40_000), json.dumps(
            order(order_id, at, quantity, price, customer=customer,
                  product="P-%d" % rng.randrange(1, 20)))))
        kind = rng.choices(["paid", "split", "late", "none", "declined", "dup"],
                           [50, 12, 8, 10, 10, 10])[0]
        payments = []
        if kind == "paid":
            payments.append((rng.randrange(-30_000, 10 * MINUTE), total, "captured"))
        elif kind == "split":
            first = total // 2
            payments.append((rng.randrange(0, 5 * MINUTE), first, "captured"))
            payments.append((rng.randrange(5 * MINUTE, 16 * MINUTE), total - first, "captured"))
        elif kind == "late":
            payments.append((15 * MINUTE + rng.randrange(1, 5 * MINUTE), total, "captured"))
        elif kind == "declined":
            payments.append((rng.randrange(0, 5 * MINUTE), total, "declined"))
            if rng.random() < 0.5:
                payments.append((rng.randrange(5 * MINUTE, 14 * MINUTE), total, "captured"))
        elif kind == "dup":
            payments.append((rng.randrange(0, 10 * MINUTE), total, "captured"))
            payments.append(payments[-1])
        for n, (offset, amount, status) in enumerate(payments):
            payment_id = "PAY-%04d-%d" % (100 + i, n if kind != "dup" else 0)
            lines.append((at + offset + rng.randrange(40_000), json.dumps(
                payment(payment_id, order_id, at + offset, amount, status=status,
                        customer=customer, method=rng.choice(["card", "wallet"])))))
    return lines


def main(check):
    rng = random.Random(13)
    lines = named_cases() + bulk(rng, 160)
    # Arrival order; ties keep the order in which the cases were written.
    lines = [line for _, line in sorted(enumerate(lines), key=lambda e: (e[1][0], e[0]))]
    text = "".join(line + "\n" for _, line in lines)
    path = os.path.join(HERE, "events.jsonl")
    if check:
        with open(path) as f:
            if f.read() != text:
                print("events.jsonl differs from a fresh run", file=sys.stderr)
                return 1
    else:
        with open(path, "w") as f:
            f.write(text)
    args = [sys.executable, os.path.join(HERE, "reference.py")] + (["--check"] if check else [])
    return subprocess.call(args)


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
