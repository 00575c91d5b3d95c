#!/usr/bin/env python3
"""Card-fraud test data and its expected results, computed by a reference that shares no code
with the Java pipelines (Python 3, stdlib only).

    python3 test-data/card-fraud/generate.py          # (re)writes the files next to this script
    python3 test-data/card-fraud/generate.py --check  # fails if a file is not current

The reference runs with the settings the tests give the job: qualifying over 10000 minor units,
JPY over 1500000 (--velocityMinAmounts=JPY=1500000), 3 within 60 s, sliding windows of 5 minutes
every minute, risk threshold 0.85. See MANIFEST.md for the cases.
"""
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = datetime(2026, 3, 1, 10, 0, 0, tzinfo=timezone.utc)
SNAPSHOT = datetime(2026, 2, 28, 0, 0, 0, tzinfo=timezone.utc)

MIN_AMOUNT = 10000
MIN_AMOUNTS = {"JPY": 1500000}
VELOCITY_COUNT = 3
VELOCITY_INTERVAL_MS = 60_000
WINDOW_MS = 5 * 60_000
PERIOD_MS = 60_000
RISK_THRESHOLD = 0.85


def ms(t):
    return int(round(t.timestamp() * 1000))


def at(seconds, millis=0):
    return BASE + timedelta(seconds=seconds, milliseconds=millis)


def iso(millis):
    """java.time.Instant.toString() of an epoch-millisecond time."""
    t = datetime.fromtimestamp(millis // 1000, tz=timezone.utc)
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    if millis % 1000:
        text += ".%03d" % (millis % 1000)
    return text + "Z"


# ------------------------------------------------------------------------------------ the data


def customers_changelog():
    rows = []
    lsn = 1000
    for n in range(1, 25):
        if n == 16:
            continue  # CU-16 is missing from the table: its transactions pass through
        home = {9: "FR"}.get(n, "US")
        rows.append((SNAPSHOT, "r", None, customer(n, home, SNAPSHOT), lsn))
        lsn += 16
    moved = at(12 * 60)
    rows.append((moved, "u", customer(9, "FR", SNAPSHOT), customer(9, "DE", moved), lsn))
    lines = []
    for when, op, before, after, lsn in rows:
        lines.append(
            {
                "before": before,
                "after": after,
                "source": {
                    "connector": "postgresql",
                    "name": "kappa",
                    "db": "kappa",
                    "schema": "public",
                    "table": "customers",
                    "snapshot": "true" if op == "r" else "false",
                    "ts_ms": ms(when),
                    "lsn": lsn,
                },
                "op": op,
                "ts_ms": ms(when) + 250,
            }
        )
    return lines


def customer(n, country, updated):
    return {
        "customer_id": "CU-%02d" % n,
        "name": "Customer %02d" % n,
        "email": "customer%02d@example.com" % n,
        "tier": "standard",
        "country": country,
        "updated_at": iso(ms(updated)),
    }


class Stream:
    """Transactions with the time each arrives (the file's order)."""

    def __init__(self):
        self.items = []
        self.count = 0

    def add(self, card, when, amount, currency="USD", country="US", merchant="M-1", arrive=None):
        self.count += 1
        tx = {
            "transaction_id": "TX-%04d" % self.count,
            "card_id": "K-%02d" % card,
            "customer_id": "CU-%02d" % card,
            "merchant_id": merchant,
            "amount_cents": amount,
            "currency": currency,
            "country": country,
            "event_time": iso(ms(when)),
        }
        self.items.append((ms(arrive or when), self.count, json.dumps(tx)))
        return tx["transaction_id"]

    def add_raw(self, arrive, line):
        self.count += 1
        self.items.append((ms(arrive), self.count, line))

    def lines(self):
        return [line for _, _, line in sorted(self.items)]


def transactions():
    s = Stream()
    rng = random.Random(12)
    # Background: small purchases on five cards for 20 minutes, so the watermark moves.
    for card in range(20, 25):
        t = rng.randint(0, 14)
        while t < 20 * 60:
            s.add(card, at(t), rng.randint(300, 4000), merchant="M-%d" % rng.randint(1, 5))
            t += rng.randint(10, 40)
    # K-01: the third is one millisecond outside the first's reach; a fourth alerts on 2nd and 3rd.
    s.add(1, at(60), 15000)
    s.add(1, at(90), 15000)
    s.add(1, at(120, 1), 15000)
    s.add(1, at(130), 15000)
    # K-02: the third is exactly 60 s after the first: the bound is included.
    s.add(2, at(60), 15000)
    s.add(2, at(90), 15000)
    s.add(2, at(120), 15000)
    # K-03: five within 20 s: the third, fourth and fifth each raise their own alert.
    for i in range(5):
        s.add(3, at(180 + 5 * i), 20000, merchant="M-%d" % (i + 1))
    # K-04: three arriving in reverse event-time order (the earliest 20 s late).
    s.add(4, at(240), 12000, arrive=at(285))
    s.add(4, at(260), 12000, arrive=at(284))
    s.add(4, at(280), 12000, arrive=at(283))
    # K-05: the first of three arrives 3 minutes late (a quiet partition catching up); a fourth,
    # on time, alerts at once on the two that are there.
    s.add(5, at(300), 11000, arrive=at(480))
    s.add(5, at(320), 11000)
    s.add(5, at(340), 11000)
    s.add(5, at(350), 11000)
    # K-06: JPY under its own threshold (over the default): no alert.
    for i in range(3):
        s.add(6, at(400 + 10 * i), 20000, currency="JPY", country="JP")
    # K-07: JPY over its threshold: an alert.
    for i in range(3):
        s.add(7, at(400 + 10 * i), 2000000, currency="JPY", country="JP")
    # K-11: USD exactly at the threshold does not qualify (the amount must exceed it).
    for i in range(3):
        s.add(11, at(420 + 10 * i), 10000)
    # K-08: three at the same millisecond: ties count, each alerts.
    for i in range(3):
        s.add(8, at(540), 13000, merchant="M-%d" % (i + 1))
    # K-09: CU-09 moves from FR to DE at 10:12; the card is used in DE before and after.
    for second in (600, 660, 780, 840):
        s.add(9, at(second), 5000, country="DE", merchant="M-9")
    # K-10: a risky card: large amounts, five merchants, four countries, abroad.
    plan = [("US", "M-a"), ("GB", "M-b"), ("FR", "M-c"), ("DE", "M-d"), ("US", "M-e"),
            ("GB", "M-a"), ("FR", "M-b")]
    for i, (country, merchant) in enumerate(plan):
        amount = 15000 if i != 3 else 900
        s.add(10, at(900 + 15 * i), amount, country=country, merchant=merchant)
    # K-16: a customer missing from the table, three large ones: alerts, never foreign.
    for i in range(3):
        s.add(16, at(960 + 20 * i), 30000, country="CA")
    # Bad records: not JSON, and a negative amount.
    s.add_raw(at(1000), '{"transaction_id": "TX-BAD-1", "card_id": ')
    s.add_raw(
        at(1001),
        json.dumps(
            {
                "transaction_id": "TX-BAD-2",
                "card_id": "K-20",
                "customer_id": "CU-20",
                "merchant_id": "M-1",
                "amount_cents": -5,
                "currency": "USD",
                "country": "US",
                "event_time": iso(ms(at(1001))),
            }
        ),
    )
    return s.lines()


# ------------------------------------------------------------------------------- the reference


def parse_time(text):
    return ms(datetime.strptime(text.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z")) \
        if "." in text else ms(datetime.strptime(text.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S%z"))


def valid(tx):
    return (
        all(str(tx.get(f, "")).strip() for f in ("transaction_id", "card_id", "customer_id", "merchant_id"))
        and isinstance(tx.get("amount_cents"), int)
        and tx["amount_cents"] >= 0
        and len(tx.get("currency", "")) == 3
        and len(tx.get("country", "")) == 2
    )


def reference(lines, changelog):
    good, bad = [], []
    for line in lines:
        try:
            tx = json.loads(line)
        except ValueError:
            bad.append(line)
            continue
        if valid(tx):
            tx["t"] = parse_time(tx["event_time"])
            good.append(tx)
        else:
            bad.append(line)

    def qualifies(tx):
        return tx["amount_cents"] > MIN_AMOUNTS.get(tx["currency"], MIN_AMOUNT)

    alerts = []
    for tx in good:
        if not qualifies(tx):
            continue
        others = [
            o for o in good
            if o is not tx and o["card_id"] == tx["card_id"] and qualifies(o)
            and tx["t"] - VELOCITY_INTERVAL_MS <= o["t"] <= tx["t"]
        ]
        if len(others) >= VELOCITY_COUNT - 1:
            row = {k: tx[k] for k in ("card_id", "transaction_id", "customer_id", "merchant_id",
                                      "amount_cents", "currency", "country", "event_time")}
            row["interval"] = sorted(
                "%s@%s" % (o["transaction_id"], iso(o["t"]))
                for o in sorted(others, key=lambda o: (o["t"], o["transaction_id"])))
            alerts.append(row)
    alerts.sort(key=lambda r: (r["card_id"], r["transaction_id"]))

    # Home country of a customer at a time: the latest change at or before it.
    history = {}
    for change in changelog:
        row = change["after"] or change["before"]
        history.setdefault(row["customer_id"], []).append(
            (change["source"]["ts_ms"], change["after"]))

    def home(customer_id, t):
        current = None
        for valid_from, row in sorted(history.get(customer_id, []), key=lambda v: v[0]):
            if valid_from <= t:
                current = row
        return current["country"] if current else None

    windows = {}
    for tx in good:
        start = tx["t"] - tx["t"] % PERIOD_MS - WINDOW_MS + PERIOD_MS
        while start <= tx["t"]:
            windows.setdefault((tx["card_id"], start), []).append(tx)
            start += PERIOD_MS
    scores = []
    for (card, start), txs in sorted(windows.items()):
        count = len(txs)
        large = sum(1 for t in txs if qualifies(t))
        merchants = len({t["merchant_id"] for t in txs})
        countries = len({t["country"] for t in txs})
        foreign = sum(
            1 for t in txs
            if home(t["customer_id"], t["t"]) is not None
            and home(t["customer_id"], t["t"]) != t["country"])
        points = (5 * min(count - 1, 5) + 5 * min(large, 5) + 5 * min(merchants - 1, 3)
                  + 5 * min(countries - 1, 3) + (20 if foreign else 0))
        scores.append({
            "card_id": card,
            "customer_id": min(t["customer_id"] for t in txs),
            "window_start": iso(start),
            "window_end": iso(start + WINDOW_MS),
            "transaction_count": count,
            "qualifying_count": large,
            "total_amount_cents": sum(t["amount_cents"] for t in txs),
            "distinct_merchants": merchants,
            "distinct_countries": countries,
            "foreign_count": foreign,
            "score": points / 100.0,
        })
    risk = [s for s in scores if s["score"] > RISK_THRESHOLD]
    return alerts, scores, risk, bad


# ----------------------------------------------------------------------------------- the files


def render(rows):
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)


def files():
    lines = transactions()
    changelog = customers_changelog()
    alerts, scores, risk, bad = reference(lines, changelog)
    return {
        "transactions.jsonl": render(lines),
        "customers.changelog.jsonl": render(changelog),
        "expected-velocity-alerts.jsonl": render(alerts),
        "expected-risk-scores.jsonl": render(scores),
        "expected-risk-alerts.jsonl": render(risk),
        "expected-dead-letters.jsonl": render(bad),
    }


def main(argv):
    check = "--check" in argv
    stale = []
    for name, text in files().items():
        path = os.path.join(HERE, name)
        if check:
            current = open(path).read() if os.path.exists(path) else None
            if current != text:
                stale.append(name)
        else:
            with open(path, "w") as out:
                out.write(text)
    if stale:
        print("not current: " + ", ".join(stale) + "; run " + sys.argv[0], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
