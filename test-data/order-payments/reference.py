#!/usr/bin/env python3
"""The expected outputs of the order-payments job's bounded run over events.jsonl.

An independent reference: plain Python reading only events.jsonl, sharing no code with the job or
with generate.py. The rules (docs/pipelines/order-payments.md):

- a line is an order if it has product_id, a payment if it has payment_id; bad JSON, an unknown
  shape or a broken rule makes it a dead letter (by its 1-based line number);
- an order at t matches the payments of its order_id with event time in [t - 1 min, t + 15 min];
- a payment_id counts once: the earliest copy by (event time, payment_id, status, amount, method);
- only captured payments in the order's currency count; PAID / UNDERPAID / OVERPAID against
  quantity * unit_price_cents; no counted payment: an UNPAID alert at t + 15 min;
- time to pay: from t to the counted payment (by event time) that brought the sum to the total;
- a payment in no order's interval is an orphan.

    python3 reference.py          # write expected-*.jsonl
    python3 reference.py --check  # exit 1 if a file on disk differs
"""
import json
import os
import re
import sys
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
BEFORE_MS = 60_000
AFTER_MS = 15 * 60_000
STATUSES = {"authorized", "captured", "declined", "refunded"}
CURRENCY = re.compile(r"^[A-Z]{3}$")


def millis(text):
    t = datetime.strptime(text.replace("Z", "+0000"),
                          "%Y-%m-%dT%H:%M:%S.%f%z" if "." in text else "%Y-%m-%dT%H:%M:%S%z")
    return int(round(t.timestamp() * 1000))


def instant(ms):
    t = datetime.fromtimestamp(ms // 1000, tz=timezone.utc)
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    return text + (".%03d" % (ms % 1000) if ms % 1000 else "") + "Z"


def text_ok(value):
    return isinstance(value, str) and value.strip() != ""


def read(path):
    orders, payments, dead = [], [], []
    with open(path) as f:
        for number, line in enumerate(f, start=1):
            try:
                record = json.loads(line)
            except ValueError:
                dead.append(number)
                continue
            if not isinstance(record, dict):
                dead.append(number)
            elif "product_id" in record:
                ok = (all(text_ok(record.get(k)) for k in ("order_id", "customer_id", "product_id"))
                      and record.get("quantity", 0) > 0 and record.get("unit_price_cents", -1) >= 0
                      and CURRENCY.match(record.get("currency", "USD")))
                if ok:
                    record["t"] = millis(record["event_time"])
                    orders.append(record)
                else:
                    dead.append(number)
            elif "payment_id" in record:
                ok = (text_ok(record.get("payment_id")) and text_ok(record.get("order_id"))
                      and record.get("amount_cents", -1) >= 0
                      and record.get("status") in STATUSES
                      and CURRENCY.match(record.get("currency", "USD")))
                if ok:
                    record["t"] = millis(record["event_time"])
                    payments.append(record)
                else:
                    dead.append(number)
            else:
                dead.append(number)
    return orders, payments, dead


def in_interval(order, pay):
    return (pay["order_id"] == order["order_id"]
            and order["t"] - BEFORE_MS <= pay["t"] <= order["t"] + AFTER_MS)


def describe(pay):
    return "%s:%s:%d:%s" % (pay["payment_id"], pay["status"], pay["amount_cents"],
                            pay.get("currency", "USD"))


def outcome(order, matched):
    key = lambda p: (p["t"], p["payment_id"], p["status"], p["amount_cents"], p["method"])
    distinct = {}
    for pay in sorted(matched, key=key):
        distinct.setdefault(pay["payment_id"], pay)
    kept = list(distinct.values())
    currency = order.get("currency", "USD")
    total = order["quantity"] * order["unit_price_cents"]
    paid, time_to_pay, counted = 0, None, False
    for pay in kept:
        if pay["status"] == "captured" and pay.get("currency", "USD") == currency:
            counted = True
            paid += pay["amount_cents"]
            if time_to_pay is None and paid >= total:
                time_to_pay = pay["t"] - order["t"]
    if not counted:
        status = "UNPAID"
    else:
        status = "PAID" if paid == total else "UNDERPAID" if paid < total else "OVERPAID"
    return kept, len(matched) - len(kept), total, paid, status, time_to_pay


def expected(path):
    orders, payments, dead = read(path)
    paid_lines, unpaid_lines, status_lines = [], [], []
    for order in sorted(orders, key=lambda o: (o["order_id"], o["t"])):
        matched = [p for p in payments if in_interval(order, p)]
        kept, duplicates, total, paid, status, time_to_pay = outcome(order, matched)
        payment_list = [describe(p) for p in kept]
        if status == "UNPAID":
            unpaid_lines.append({"order_id": order["order_id"],
                                 "deadline": instant(order["t"] + AFTER_MS),
                                 "payments": payment_list})
        else:
            paid_lines.append({"order_id": order["order_id"], "status": status,
                               "order_total_cents": total, "paid_cents": paid,
                               "time_to_pay_ms": time_to_pay,
                               "duplicate_payments": duplicates, "payments": payment_list})
        status_lines.append({"order_id": order["order_id"], "status": status,
                             "order_total_cents": total, "paid_cents": paid,
                             "time_to_pay_ms": time_to_pay, "payment_count": len(kept),
                             "duplicate_payments": duplicates})
    orphans = [{"payment_id": p["payment_id"], "order_id": p["order_id"],
                "event_time": instant(p["t"])}
               for p in payments if not any(in_interval(o, p) for o in orders)]
    orphans.sort(key=lambda o: (o["payment_id"], o["event_time"]))
    return {
        "expected-paid.jsonl": paid_lines,
        "expected-unpaid.jsonl": unpaid_lines,
        "expected-statuses.jsonl": status_lines,
        "expected-orphans.jsonl": orphans,
        "expected-dead-letters.jsonl": [{"line": n} for n in sorted(dead)],
    }


def main(check):
    failed = 0
    for name, lines in expected(os.path.join(HERE, "events.jsonl")).items():
        text = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines)
        path = os.path.join(HERE, name)
        if check:
            with open(path) as f:
                if f.read() != text:
                    print(name + " differs from a fresh run", file=sys.stderr)
                    failed = 1
        else:
            with open(path, "w") as f:
                f.write(text)
    return failed


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
