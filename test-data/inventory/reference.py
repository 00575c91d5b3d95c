#!/usr/bin/env python3
"""The inventory job's expected outputs, computed from its inputs by plain Python.

Shares no code with the Java job nor with generate.py. Rules (docs/pipelines/inventory.md):

- A change (op c, u, r) sets the product's level to the row's quantity at source.ts_ms: RESTOCK if
  that raises it or the product had no row, else CORRECTION. A delete (op d) sets it to 0 and the
  product has no row from then on. Orders consume their quantity at their event_time.
- Per product, events are applied in time order; at the same millisecond changes come before
  orders, changes in the change stream's order (source.lsn: one transaction's changes share their
  commit time), orders by order_id.
- An order after which the level is below zero is OVERSOLD, shortfall min(quantity, -level).
- History: per product and minute with events, the level after the minute's last event.
- Dead letters: lines that are not valid JSON, changes without a valid row, orders breaking the
  order rules (quantity must be positive, ids non-empty, ...).
"""
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def ms(t):
    return round(t.timestamp() * 1000)


def iso_ms(millis):
    t = datetime.fromtimestamp(millis / 1000, tz=timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"


def read_changes(dead):
    events = []
    for line in (HERE / "inventory.changelog.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        try:
            change = json.loads(line)
            when = change["source"]["ts_ms"]
            lsn = change["source"]["lsn"]
            if change["op"] == "d":
                events.append((change["before"]["product_id"], when, 0, lsn, "", 0,
                               ("DELETE", None)))
            else:
                row = change["after"]
                quantity = row["quantity"]
                parse_time(row["updated_at"])
                if not isinstance(quantity, int):
                    raise ValueError("quantity")
                events.append((row["product_id"], when, 0, lsn, "", quantity, ("SET", quantity)))
        except (ValueError, KeyError, TypeError):
            dead.append({"step": "DecodeInventoryChanges", "payload": line})
    return events


def read_orders(dead):
    events = []
    for line in (HERE / "orders.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        try:
            order = json.loads(line)
            quantity = order["quantity"]
            if quantity <= 0 or not order["order_id"].strip() or not order["product_id"].strip():
                raise ValueError("invalid order")
            when = ms(parse_time(order["event_time"]))
            events.append((order["product_id"], when, 1, 0, order["order_id"], quantity,
                           ("ORDER", order)))
        except (ValueError, KeyError, TypeError):
            dead.append({"step": "DecodeOrders", "payload": line})
    return events


def main():
    dead = []
    events = read_changes(dead) + read_orders(dead)
    events.sort(key=lambda e: e[:6])
    levels, alerts, minutes = [], [], {}
    state = {}  # product -> (level, stocked)
    for product, when, _, _, order_id, quantity, (kind, payload) in events:
        before, stocked = state.get(product, (0, False))
        row = {"product_id": product, "event_time": iso_ms(when), "order_id": None}
        if kind == "SET":
            cause = "RESTOCK" if (not stocked or quantity > before) else "CORRECTION"
            after, now_stocked = quantity, True
            row.update(cause=cause, quantity=quantity)
        elif kind == "DELETE":
            after, now_stocked = 0, False
            row.update(cause="DELETE", quantity=0)
        else:
            after, now_stocked = before - quantity, stocked
            row.update(cause="ORDER", order_id=order_id, quantity=quantity)
            if after < 0:
                alerts.append({"alert": "OVERSOLD", "product_id": product, "order_id": order_id,
                               "event_time": iso_ms(when), "quantity": quantity,
                               "level_before": before, "level": after,
                               "shortfall": min(quantity, -after), "product_stocked": stocked})
        row.update(level_before=before, level=after, stocked=now_stocked)
        levels.append(row)
        if kind == "DELETE":
            state.pop(product, None)
        else:
            state[product] = (after, now_stocked)
        start = when - when % 60000
        m = minutes.setdefault((product, start), {
            "product_id": product, "minute_start": iso_ms(start), "minute_end": iso_ms(start + 60000),
            "level": 0, "orders": 0, "units_ordered": 0, "changes": 0, "oversold_orders": 0})
        m["level"] = after
        if kind == "ORDER":
            m["orders"] += 1
            m["units_ordered"] += quantity
            m["oversold_orders"] += 1 if after < 0 else 0
        else:
            m["changes"] += 1
    outputs = {
        "expected-levels.jsonl": levels,
        "expected-alerts.jsonl": alerts,
        "expected-history.jsonl": [minutes[k] for k in sorted(minutes)],
        "expected-dead-letters.jsonl": dead,
    }
    check = "--check" in sys.argv[1:]
    stale = False
    for name, rows in outputs.items():
        text = "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows)
        path = HERE / name
        if check:
            stale |= not path.exists() or path.read_text() != text
        else:
            path.write_text(text)
    if not check:
        print(f"{len(levels)} levels, {len(alerts)} alerts, {len(minutes)} minutes,"
              f" {len(dead)} dead letters")
    sys.exit(1 if stale else 0)


if __name__ == "__main__":
    main()
