#!/usr/bin/env python3
"""Generates test-data/visitor-sessions/events.jsonl and, through reference.py, the sessions the
visitor-sessions job must produce from it (expected-sessions.jsonl).

Deterministic, Python 3 standard library only. With --check, exits 1 if a file on disk differs
from a fresh run. One JSON object per line, in arrival order: page views (PageView) and orders
(OrderEvent) mixed, as one topic or file may hold both. The cases that break naive code are
placed by hand (see MANIFEST.md); the rest is a seeded random background of visitors.
"""
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reference  # noqa: E402

BASE = datetime(2026, 3, 1, 10, 0, 0, tzinfo=timezone.utc)
GAP = timedelta(minutes=30)
MS = timedelta(milliseconds=1)


def iso(t):
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    if t.microsecond:
        text += ".%03d" % (t.microsecond // 1000)
    return text + "Z"


class Events:
    def __init__(self):
        self.lines = []
        self.views = 0
        self.orders = 0

    def view(self, t, session, customer=None, url="/", product=None, referrer=None):
        self.views += 1
        self.lines.append({
            "view_id": "V-%05d" % self.views,
            "session_id": session,
            "customer_id": customer,
            "url": url,
            "product_id": product,
            "referrer": referrer,
            "event_time": iso(t),
        })

    def order(self, t, customer, product, quantity, price, currency="USD"):
        self.orders += 1
        self.lines.append({
            "order_id": "O-%05d" % self.orders,
            "customer_id": customer,
            "product_id": product,
            "quantity": quantity,
            "unit_price_cents": price,
            "currency": currency,
            "event_time": iso(t),
        })


def generate():
    rng = random.Random(12)
    early = Events()
    # Background: 30 visitors, a third anonymous, one to three sessions each over six hours.
    products = ["P-%03d" % n for n in range(100, 112)]
    for v in range(30):
        anonymous = v % 3 == 0
        customer = None if anonymous else "C-%02d" % v
        t = BASE + timedelta(minutes=rng.randrange(0, 60))
        for s in range(rng.randrange(1, 4)):
            session = "S-%02d-%d" % (v, s)
            for i in range(rng.randrange(1, 7)):
                product = rng.choice(products) if rng.random() < 0.6 else None
                url = "/products/%s" % product if product else rng.choice(["/", "/search", "/cart"])
                referrer = rng.choice([None, "https://search.example", "https://ads.example"]) if i == 0 else None
                early.view(t, session, customer, url, product, referrer)
                if customer and product and rng.random() < 0.15:
                    t += timedelta(seconds=rng.randrange(5, 120))
                    early.order(t, customer, product, rng.randrange(1, 4), rng.choice([499, 1299, 2500]))
                t += timedelta(seconds=rng.randrange(10, 25 * 60))
            t += GAP + timedelta(minutes=rng.randrange(0, 90))
    # Background arrives in event-time order, give or take a few seconds.
    early.lines.sort(key=lambda e: e["event_time"])

    late = Events()
    late.views, late.orders = 1000, 1000
    # Case 1, C-MERGE2: two sessions 40 minutes apart; a late view at +20 min bridges them.
    t = BASE + timedelta(hours=1)
    early.view(t, "S-M2", "C-MERGE2", "/", None, "https://mail.example")
    early.view(t + timedelta(minutes=40), "S-M2", "C-MERGE2", "/products/P-101", "P-101")
    late.view(t + timedelta(minutes=20), "S-M2", "C-MERGE2", "/search")
    # Case 2, C-MERGE3: three sessions 40 minutes apart; two late views bridge all three.
    t = BASE + timedelta(hours=1, minutes=5)
    early.view(t, "S-M3", "C-MERGE3", "/")
    early.view(t + timedelta(minutes=40), "S-M3", "C-MERGE3", "/products/P-102", "P-102")
    early.order(t + timedelta(minutes=80), "C-MERGE3", "P-102", 2, 1299)
    late.view(t + timedelta(minutes=20), "S-M3", "C-MERGE3", "/search")
    late.view(t + timedelta(minutes=60), "S-M3", "C-MERGE3", "/products/P-103", "P-103")
    # Case 3, C-EDGE: an order exactly one gap after the last view starts its own session.
    t = BASE + timedelta(hours=2)
    early.view(t, "S-E", "C-EDGE", "/products/P-104", "P-104", "https://ads.example")
    early.order(t + GAP, "C-EDGE", "P-104", 1, 2500)
    # Case 4, C-EDGE2: an order one millisecond inside the gap joins the session.
    early.view(t, "S-E2", "C-EDGE2", "/products/P-105", "P-105")
    early.order(t + GAP - MS, "C-EDGE2", "P-105", 3, 499)
    # Case 5: an anonymous visitor and a signed-in one sharing a client session id: two visitors.
    t = BASE + timedelta(hours=3)
    early.view(t, "S-SHARED", None, "/", None, "https://search.example")
    early.view(t + timedelta(minutes=5), "S-SHARED", None, "/products/P-106", "P-106")
    early.view(t + timedelta(minutes=6), "S-SHARED", "C-SHARED", "/products/P-106", "P-106")
    early.order(t + timedelta(minutes=7), "C-SHARED", "P-106", 1, 1299)
    # Case 6, C-TIE: two views at the same instant: landing is the smaller view id, exit the larger.
    t = BASE + timedelta(hours=3, minutes=30)
    early.view(t, "S-T", "C-TIE", "/a")
    early.view(t, "S-T", "C-TIE", "/b")
    lines = early.lines + late.lines
    return lines


def dump(objects):
    return "".join(json.dumps(o, sort_keys=False) + "\n" for o in objects)


def main():
    check = "--check" in sys.argv
    events = dump(generate())
    sessions = dump(reference.sessions([json.loads(l) for l in events.splitlines()], GAP))
    files = {"events.jsonl": events, "expected-sessions.jsonl": sessions}
    stale = []
    for name, text in files.items():
        path = os.path.join(HERE, name)
        if check:
            with open(path) as f:
                if f.read() != text:
                    stale.append(name)
        else:
            with open(path, "w") as f:
                f.write(text)
    if stale:
        print("stale: " + ", ".join(stale), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
