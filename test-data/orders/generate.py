#!/usr/bin/env python3
"""Generates the OrderRevenue test data and its independently computed expected results.

Usage:
    python3 test-data/orders/generate.py          # (re)write every file next to this script
    python3 test-data/orders/generate.py --check  # exit 1 if a file on disk differs from a fresh run

Python 3 standard library only. Deterministic: a fixed seed and no wall clock, so a rerun
writes byte-identical files.

The script has two halves that share nothing but the raw text of the lines:

  * GENERATOR: builds order lines and records what it *meant* each line to be
    (on time, late, too late, or malformed for a given reason).
  * REFERENCE: reads the written orders file back from disk, parses and validates each line
    on its own by the decoding rules, replays the file through the watermark rule, and
    computes the batch aggregates.

The run fails loudly (AssertionError) unless the reference's classification of every line
equals the generator's intent. None of this shares code with the Java pipelines.
"""

import argparse
import json
import random
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20260301

SECOND = 1_000
MINUTE = 60 * SECOND
WINDOW_MS = 5 * MINUTE  # fixed event-time windows aligned to the epoch
ALLOWED_LATENESS_MS = 60 * MINUTE
OUT_OF_ORDERNESS_MS = 1 * MINUTE  # replay watermark = max event time seen - this
# No valid record may sit closer than this to a late/too-late boundary, so a replay that
# differs by a millisecond (e.g. Flink's "max - delay - 1ms") classifies every line the same.
BOUNDARY_MARGIN_MS = 10 * SECOND

INT_MAX = 2**31 - 1
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def to_iso(ms):
    """Epoch millis -> '2026-03-01T10:05:00Z' (with '.mmm' only when millis are non-zero)."""
    dt = EPOCH + timedelta(milliseconds=ms)
    base = dt.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{ms % 1000:03d}Z" if ms % 1000 else f"{base}Z"


# =============================================================================================
# GENERATOR
# =============================================================================================

T0 = 1772359200000  # 2026-03-01T10:00:00Z
SPAN_MS = 150 * MINUTE  # 2.5 hours of event time
PRODUCTS = {"P-100": 1999, "P-101": 4500, "P-102": 250, "P-103": 12999, "P-104": 799, "P-105": 34900}
CUSTOMERS = [f"C-{i:02d}" for i in range(1, 21)]
SHIPPING = ["standard", "express", "next_day"]
PROMOS = ["SPRING10", "WELCOME5", "FREESHIP"]

N_ON_TIME = 351
N_RANDOM_LATE = 22
N_MALFORMED_SLOTS = 12


def new_spec(rng, t, kind, product=None, currency=None, quantity=None, price=None, version=None,
             time_format=None, note=""):
    """An order to be written: its values plus every rendering decision, drawn up front."""
    product = product or rng.choice(sorted(PRODUCTS))
    if currency is None:
        currency = "EUR" if rng.random() < 0.15 else "USD"
    if quantity is None:
        quantity = rng.randint(10, 20) if rng.random() < 0.05 else rng.randint(1, 5)
    if price is None:
        price = PRODUCTS[product] - (rng.choice([100, 200, 500]) if rng.random() < 0.2 else 0)
        price = max(price, 0)
    version = version or rng.choices(["v1", "v2", "v3"], weights=[4, 3, 3])[0]
    if time_format is None:
        time_format = "millis" if rng.random() < 0.25 else "iso"
    return {
        "kind": kind,  # on_time | late | too_late | malformed
        "reason": None,  # dead-letter category for malformed lines
        "note": note,
        "t": t,
        "customer_id": rng.choice(CUSTOMERS),
        "product_id": product,
        "quantity": quantity,
        "unit_price_cents": price,
        "currency": currency,
        "version": version,
        "time_format": time_format,
        # defaulted fields a hand-written line may leave out
        "omit_currency": currency == "USD" and rng.random() < 0.3,
        "shipping_method": rng.choice(SHIPPING),
        "omit_shipping": version == "v3" and rng.random() < 0.25,
        "promo_code": rng.choice(PROMOS) if rng.random() < 0.5 else None,
        "shuffle_keys": rng.random() < 0.05,
        "compact": rng.random() < 0.05,
        "key_seed": rng.random(),
    }


def spec_fields(spec, order_id):
    """The JSON object of a spec, in the field order of its schema version."""
    f = {
        "order_id": order_id,
        "customer_id": spec["customer_id"],
        "product_id": spec["product_id"],
        "quantity": spec["quantity"],
        "unit_price_cents": spec["unit_price_cents"],
    }
    if not spec["omit_currency"]:
        f["currency"] = spec["currency"]
    f["event_time"] = spec["t"] if spec["time_format"] == "millis" else to_iso(spec["t"])
    if spec["version"] in ("v2", "v3") and not spec["omit_shipping"]:
        f["shipping_method"] = spec["shipping_method"]
    if spec["version"] == "v3":
        f["promo_code"] = spec["promo_code"]
    return f


def dumps(fields, spec):
    items = list(fields.items())
    if spec["shuffle_keys"]:
        random.Random(spec["key_seed"]).shuffle(items)
    sep = (",", ":") if spec["compact"] else (", ", ": ")
    return json.dumps(dict(items), separators=sep)


def _drop(key):
    def mutate(fields):
        del fields[key]
        return json.dumps(fields)
    return mutate


def _set(key, value):
    def mutate(fields):
        fields[key] = value(fields) if callable(value) else value
        return json.dumps(fields)
    return mutate


def _missing_comma(fields):
    text = json.dumps(fields)
    broken = text.replace(', "customer_id"', ' "customer_id"', 1)
    assert broken != text
    return broken


# Each malformed line breaks exactly one rule: (dead-letter reason, what is wrong, how to break it).
MALFORMED = [
    ("invalid_json", "missing comma between two fields", _missing_comma),
    ("invalid_json", "line truncated mid-object", lambda f: json.dumps(f)[: len(json.dumps(f)) // 2]),
    ("not_an_object", "a JSON array instead of an object", lambda f: json.dumps(list(f.values()))),
    ("missing_field", "customer_id missing", _drop("customer_id")),
    ("wrong_type", "quantity is a JSON string, not a number", _set("quantity", lambda f: str(f["quantity"]))),
    ("unknown_field", 'unknown field "gift_wrap"', _set("gift_wrap", True)),
    ("invalid_quantity", "quantity 0", _set("quantity", 0)),
    ("invalid_unit_price", "unit_price_cents negative (-1299)", _set("unit_price_cents", -1299)),
    ("invalid_currency", 'currency lower-case ("usd")', _set("currency", "usd")),
    ("empty_field", 'product_id is ""', _set("product_id", "")),
    ("invalid_event_time", 'event_time "2026-03-01 10:15" is not an ISO-8601 instant',
     _set("event_time", "2026-03-01 10:15")),
    ("missing_field", "event_time missing", _drop("event_time")),
]


def render(spec, order_id):
    fields = spec_fields(spec, order_id)
    if spec["kind"] == "malformed":
        return spec["mutate"](fields)
    return dumps(fields, spec)


def generate_orders():
    """Returns (lines, intents): the file's lines and, per line, what the generator meant."""
    rng = random.Random(SEED)

    # --- On-time orders: sorted base times, some jittered back by < 1 minute. -------------
    specials = {T0: "first order, exactly 10:00:00Z",
                T0 + WINDOW_MS - 1: "last millisecond of [10:00,10:05)",
                T0 + WINDOW_MS: "exactly on the 10:05:00Z boundary -> [10:05,10:10)"}
    bases = set(specials)
    while len(bases) < N_ON_TIME:
        ms = rng.randrange(1, 1000) if rng.random() < 0.05 else 0
        bases.add(T0 + rng.randrange(0, SPAN_MS // SECOND) * SECOND + ms)
    on_time = []
    for base in sorted(bases):
        if base in specials:
            on_time.append(new_spec(rng, base, "on_time", product="P-100", currency="USD",
                                    time_format="iso", note=specials[base]))
            continue
        t = base
        if rng.random() < 0.25:  # out of order, but well inside the 1-minute bound
            t = max(T0, base - rng.randrange(1, 41) * SECOND)
        on_time.append(new_spec(rng, t, "on_time"))

    # Revenue that overflows a Java int: per order, and per window sum.
    for i, currency in ((60, "USD"), (200, "EUR")):
        on_time[i].update(product_id="P-103", currency=currency, quantity=1000,
                          unit_price_cents=5_000_000, omit_currency=False,
                          note="quantity*price = 5e9 overflows int")
    for i in range(120, len(on_time) - 1):  # two orders of 1.5e9 in one key and window
        a, b = on_time[i], on_time[i + 1]
        if a["t"] // WINDOW_MS == b["t"] // WINDOW_MS:
            for s in (a, b):
                s.update(product_id="P-104", currency="USD", quantity=1,
                         unit_price_cents=1_500_000_000, omit_currency=False,
                         note="two of these in one window: sum 3e9 overflows int")
            break

    # --- Watermark before each on-time record (only on-time records move it). ------------
    wm_before, max_seen = [], None
    for s in on_time:
        wm_before.append(None if max_seen is None else max_seen - OUT_OF_ORDERNESS_MS)
        max_seen = s["t"] if max_seen is None else max(max_seen, s["t"])
    final_wm = max_seen - OUT_OF_ORDERNESS_MS

    def empty_key(window_starts, currency):
        taken = {(s["product_id"], s["currency"], s["t"] - s["t"] % WINDOW_MS) for s in on_time}
        for ws in window_starts:
            for p in sorted(PRODUCTS, reverse=True):
                if (p, currency, ws) not in taken:
                    return p, ws
        raise AssertionError("no empty key found")

    # --- Late and too-late records, each with the watermark it should arrive at. ----------
    inserts = []  # (arrival watermark target, spec)

    def behind(kind, t, delay, **kw):
        inserts.append((t + delay, new_spec(rng, t, kind, **kw)))

    w1010 = T0 + 10 * MINUTE  # P-101 USD [10:10,10:15): on time + late + too late
    behind("late", w1010 + 80 * SECOND, 12 * MINUTE, product="P-101", currency="USD",
           note="P-101 USD [10:10,10:15) late")
    behind("late", w1010 + 225 * SECOND, 30 * MINUTE, product="P-101", currency="USD",
           note="P-101 USD [10:10,10:15) late")
    p, ws = empty_key([T0 + k * WINDOW_MS for k in range(6, 20)], "EUR")
    behind("late", ws + 2 * MINUTE, 8 * MINUTE, product=p, currency="EUR",
           note="only record of its key and window: first pane is a late one")
    behind("late", T0 + 47 * MINUTE + 10 * SECOND, 20 * MINUTE, product="P-103", currency="USD",
           quantity=1000, price=5_000_000, note="late, quantity*price = 5e9 overflows int")
    for _ in range(N_RANDOM_LATE - 1):
        t = T0 + rng.randrange(5 * 60, 105 * 60) * SECOND
        behind("late", t, rng.randrange(6 * 60, 38 * 60) * SECOND)

    behind("too_late", w1010 + 125 * SECOND, final_wm - 10 * MINUTE - (w1010 + 125 * SECOND),
           product="P-101", currency="USD", note="P-101 USD [10:10,10:15) too late (1 of 2)")
    behind("too_late", w1010 + 270 * SECOND, final_wm - 4 * MINUTE - (w1010 + 270 * SECOND),
           product="P-101", currency="USD", note="P-101 USD [10:10,10:15) too late (2 of 2)")
    p, ws = empty_key([T0 + k * WINDOW_MS for k in range(1, 6)], "EUR")
    behind("too_late", ws + 3 * MINUTE, final_wm - 15 * MINUTE - (ws + 3 * MINUTE), product=p,
           currency="EUR", note="only record of its key and window: batch-only result row")
    for _ in range(5):  # first half hour, arriving in the last ~25 minutes of the file
        t = T0 + rng.randrange(0, 30 * 60) * SECOND
        behind("too_late", t, final_wm - rng.randrange(1, 25 * 60) * SECOND - t)
    for _ in range(4):  # arriving mid-file, 70-90 minutes behind
        t = T0 + rng.randrange(15 * 60, 45 * 60) * SECOND
        behind("too_late", t, rng.randrange(70 * 60, 90 * 60) * SECOND)

    # --- Assemble in file order. ----------------------------------------------------------
    by_slot = {}
    for target, spec in inserts:
        assert target <= final_wm, spec
        slot = next((i for i, wm in enumerate(wm_before) if wm is not None and wm >= target),
                    len(on_time))
        by_slot.setdefault(slot, []).append((target, spec))
    malformed_slots = {15 + k * 28: k for k in range(N_MALFORMED_SLOTS)}

    sequence = []
    for i in range(len(on_time) + 1):
        for _, spec in sorted(by_slot.get(i, []), key=lambda x: x[0]):
            sequence.append(spec)
        if i in malformed_slots:
            reason, desc, mutate = MALFORMED[malformed_slots[i]]
            # Event time of the previous on-time order: never ahead of the watermark's max,
            # so a replay that let dead letters move the watermark would still agree.
            spec = new_spec(rng, on_time[i - 1]["t"], "malformed", currency="USD", note=desc)
            spec.update(reason=reason, mutate=mutate, omit_currency=False)
            sequence.append(spec)
        if i < len(on_time):
            sequence.append(on_time[i])

    lines = [render(spec, f"O-{n:05d}") for n, spec in enumerate(sequence, start=1)]
    intents = [{"kind": s["kind"], "reason": s["reason"], "version": s["version"],
                "note": s["note"]} for s in sequence]
    return lines, intents


# The small set is written by hand: 12 lines, 2 products, 3 windows, one late, one malformed.
SMALL_LINES = [
    '{"order_id": "S-01", "customer_id": "C-01", "product_id": "P-100", "quantity": 2, "unit_price_cents": 1999, "currency": "USD", "event_time": "2026-03-01T10:00:30Z"}',
    '{"order_id": "S-02", "customer_id": "C-02", "product_id": "P-101", "quantity": 1, "unit_price_cents": 4500, "event_time": "2026-03-01T10:01:10Z", "shipping_method": "express"}',
    '{"order_id": "S-03", "customer_id": "C-03", "product_id": "P-100", "quantity": 1, "unit_price_cents": 1999, "currency": "USD", "event_time": "2026-03-01T10:03:05Z", "shipping_method": "standard", "promo_code": "SPRING10"}',
    '{"order_id": "S-04", "customer_id": "C-01", "product_id": "P-100", "quantity": 3, "unit_price_cents": 1999, "currency": "USD", "event_time": "2026-03-01T10:05:00Z"}',
    '{"order_id": "S-05", "customer_id": "C-04", "product_id": "P-101", "quantity": 2, "unit_price_cents": 4500, "currency": "EUR", "event_time": 1772359600000, "shipping_method": "next_day"}',
    '{"order_id": "S-06", "customer_id": "C-05", "product_id": "P-101", "quantity": 1, "unit_price_cents": 4500, "currency": "USD", "event_time": "2026-03-01T10:08:15Z", "promo_code": null}',
    '{"order_id": "S-07", "customer_id": "C-06", "product_id": "P-100", "quantity": 0, "unit_price_cents": 1999, "currency": "USD", "event_time": "2026-03-01T10:09:00Z"}',
    '{"order_id": "S-08", "customer_id": "C-02", "product_id": "P-100", "quantity": 1, "unit_price_cents": 1999, "event_time": "2026-03-01T10:10:20Z", "shipping_method": "standard"}',
    '{"order_id": "S-09", "customer_id": "C-03", "product_id": "P-101", "quantity": 4, "unit_price_cents": 4500, "currency": "USD", "event_time": "2026-03-01T10:10:05Z"}',
    '{"order_id": "S-10", "customer_id": "C-06", "product_id": "P-100", "quantity": 2, "unit_price_cents": 1999, "currency": "USD", "event_time": "2026-03-01T10:13:30Z", "shipping_method": "express", "promo_code": "WELCOME5"}',
    '{"order_id": "S-11", "customer_id": "C-07", "product_id": "P-101", "quantity": 1, "unit_price_cents": 4500, "currency": "USD", "event_time": "2026-03-01T10:14:50Z"}',
    '{"order_id": "S-12", "customer_id": "C-08", "product_id": "P-100", "quantity": 5, "unit_price_cents": 1999, "currency": "USD", "event_time": "2026-03-01T10:04:10Z"}',
]
SMALL_INTENTS = [{"kind": k, "reason": r} for k, r in
                 [("on_time", None)] * 6 + [("malformed", "invalid_quantity")]
                 + [("on_time", None)] * 4 + [("late", None)]]


# =============================================================================================
# REFERENCE (reads only the text of the lines)
# =============================================================================================

REQUIRED = ("order_id", "customer_id", "product_id", "quantity", "unit_price_cents", "event_time")
DEFAULTS = {"currency": "USD", "shipping_method": "standard", "promo_code": None}
ISO_INSTANT = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z")


def _reject_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def _reject_constant(name):
    raise ValueError(f"not JSON: {name}")


def parse_instant(text):
    """'2026-03-01T10:02:30Z' or '...30.250Z' -> epoch millis; None if not a UTC instant."""
    m = ISO_INSTANT.fullmatch(text)
    if not m:
        return None
    try:
        dt = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    delta = dt - EPOCH
    millis = int((m.group(2) or "0").ljust(3, "0")[:3])
    return (delta.days * 86_400 + delta.seconds) * 1000 + millis


def parse_order(text):
    """One line -> (order dict, []) if valid, else (None, [every dead-letter category found])."""
    try:
        obj = json.loads(text, object_pairs_hook=_reject_duplicate_keys,
                         parse_constant=_reject_constant)
    except ValueError:
        return None, ["invalid_json"]
    if not isinstance(obj, dict):
        return None, ["not_an_object"]

    problems = []
    for key in obj:
        if key not in REQUIRED and key not in DEFAULTS:
            problems.append("unknown_field")
    for key in REQUIRED:
        if key not in obj:
            problems.append("missing_field")
    order = dict(DEFAULTS)
    order.update(obj)

    def is_int(v, bits):
        return type(v) is int and -(2 ** (bits - 1)) <= v < 2 ** (bits - 1)

    for key in ("order_id", "customer_id", "product_id", "currency", "shipping_method"):
        if key in order:
            if not isinstance(order[key], str):
                problems.append("wrong_type")
            elif key.endswith("_id") and order[key] == "":
                problems.append("empty_field")
    if not (order["promo_code"] is None or isinstance(order["promo_code"], str)):
        problems.append("wrong_type")
    if "quantity" in order:
        if not is_int(order["quantity"], 32):
            problems.append("wrong_type")
        elif order["quantity"] <= 0:
            problems.append("invalid_quantity")
    if "unit_price_cents" in order:
        if not is_int(order["unit_price_cents"], 64):
            problems.append("wrong_type")
        elif order["unit_price_cents"] < 0:
            problems.append("invalid_unit_price")
    if isinstance(order["currency"], str) and not re.fullmatch(r"[A-Z]{3}", order["currency"]):
        problems.append("invalid_currency")
    if "event_time" in order:
        et = order["event_time"]
        if is_int(et, 64):
            order["event_time_ms"] = et
        elif isinstance(et, str):
            order["event_time_ms"] = parse_instant(et)
            if order["event_time_ms"] is None:
                problems.append("invalid_event_time")
        else:
            problems.append("wrong_type")
    if problems:
        return None, sorted(set(problems))

    order["shape"] = "v3" if "promo_code" in obj else "v2" if "shipping_method" in obj else "v1"
    order["window_start"] = order["event_time_ms"] - order["event_time_ms"] % WINDOW_MS
    order["window_end"] = order["window_start"] + WINDOW_MS
    order["raw"] = obj
    return order, []


def replay(parsed, let_dead_letters_move_watermark=False):
    """Streams the lines in file order; returns per line on_time | late | too_late | malformed,
    the watermark each valid record arrived at."""
    kinds, watermarks, max_seen = [], [], None
    for order, problems, raw_time in parsed:
        wm = None if max_seen is None else max_seen - OUT_OF_ORDERNESS_MS
        if order is None:
            kinds.append("malformed")
            watermarks.append(wm)
            if let_dead_letters_move_watermark and raw_time is not None:
                max_seen = raw_time if max_seen is None else max(max_seen, raw_time)
            continue
        t, end = order["event_time_ms"], order["window_end"]
        if wm is not None and end - 1 + ALLOWED_LATENESS_MS < wm:
            kinds.append("too_late")
        elif wm is not None and end <= wm:
            kinds.append("late")
        else:
            kinds.append("on_time")
        watermarks.append(wm)
        max_seen = t if max_seen is None else max(max_seen, t)
    return kinds, watermarks


def raw_event_time(text):
    """Event time of an invalid line if one can be read at all (for the robustness check)."""
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    et = obj.get("event_time")
    if type(et) is int:
        return et
    return parse_instant(et) if isinstance(et, str) else None


def aggregate(orders):
    """Batch result: every valid order counts, whatever its lateness."""
    groups = {}
    for o in orders:
        key = (o["window_start"], o["product_id"], o["currency"])
        count, revenue = groups.get(key, (0, 0))
        groups[key] = (count + 1, revenue + o["quantity"] * o["unit_price_cents"])
    return [{"product_id": p, "currency": c, "window_start": to_iso(ws),
             "window_end": to_iso(ws + WINDOW_MS), "order_count": n, "revenue_cents": r}
            for (ws, p, c), (n, r) in sorted(groups.items())]


def analyse(lines):
    parsed = []
    for text in lines:
        order, problems = parse_order(text)
        parsed.append((order, problems, raw_event_time(text) if order is None else None))
    kinds, wms = replay(parsed)
    kinds_alt, _ = replay(parsed, let_dead_letters_move_watermark=True)
    assert kinds == kinds_alt, "classification depends on whether dead letters move the watermark"
    return parsed, kinds, wms


def check_intents(parsed, kinds, intents, label):
    for n, ((order, problems, _), kind, intent) in enumerate(zip(parsed, kinds, intents), 1):
        where = f"{label} line {n} ({intent.get('note') or intent['kind']})"
        assert kind == intent["kind"], f"{where}: reference says {kind}, meant {intent['kind']}"
        if kind == "malformed":
            assert problems == [intent["reason"]], f"{where}: reference found {problems}"
        elif "version" in intent:
            assert order["shape"] == intent["version"], f"{where}: shape {order['shape']}"


def check_margins(parsed, kinds, wms):
    for n, ((order, _, _), kind, wm) in enumerate(zip(parsed, kinds, wms), 1):
        if order is None or wm is None:
            continue
        end, t = order["window_end"], order["event_time_ms"]
        for boundary in (end, end - 1 + ALLOWED_LATENESS_MS):
            assert abs(wm - boundary) >= BOUNDARY_MARGIN_MS, f"line {n} too close to a boundary"
        behind = wm - t
        if kind == "on_time":
            assert t > wm, f"line {n}: on-time record behind the watermark"
        if kind == "late":
            assert 5 * MINUTE <= behind <= 40 * MINUTE, f"line {n}: late by {behind} ms"
        if kind == "too_late":
            assert behind > 65 * MINUTE, f"line {n}: too late by only {behind} ms"


# =============================================================================================
# OUTPUT
# =============================================================================================

def jsonl(rows):
    return "".join(json.dumps(r) + "\n" for r in rows)


def late_rows(parsed, kinds, wanted):
    return [{"line": n, "order_id": o["order_id"], "product_id": o["product_id"],
             "currency": o["currency"], "window_start": to_iso(o["window_start"]),
             "window_end": to_iso(o["window_end"])}
            for n, ((o, _, _), k) in enumerate(zip(parsed, kinds), 1) if k == wanted]


def dead_letter_rows(parsed):
    return [{"line": n, "reason": problems[0]}
            for n, (o, problems, _) in enumerate(parsed, 1) if o is None]


def count(items):
    out = {}
    for i in items:
        out[i] = out.get(i, 0) + 1
    return out


def spot_check(parsed, kinds, product, currency, window_start_iso, title):
    ws = parse_instant(window_start_iso)
    rows = [(n, o, k) for n, ((o, _, _), k) in enumerate(zip(parsed, kinds), 1)
            if o and (o["product_id"], o["currency"], o["window_start"]) == (product, currency, ws)]
    total = sum(o["quantity"] * o["unit_price_cents"] for _, o, _ in rows)
    out = [f"**{product} {currency} [{window_start_iso}, {to_iso(ws + WINDOW_MS)})** ({title}): "
           f"order_count {len(rows)}, revenue_cents {total}", ""]
    for n, o, k in rows:
        out.append(f"- line {n}: {o['order_id']} {o['quantity']} x {o['unit_price_cents']} = "
                   f"{o['quantity'] * o['unit_price_cents']} ({k}, event_time {json.dumps(o['event_time'])}"
                   + ("" if isinstance(o["event_time"], str) else f" = {to_iso(o['event_time'])}")
                   + ")")
    return out + [""]


def manifest(lines, parsed, kinds, intents, revenue, small_revenue):
    valid = [o for o, _, _ in parsed if o]
    by_kind = count(kinds)
    reasons = count(p[0] for o, p, _ in parsed if o is None)
    shapes = count(o["shape"] for o in valid)
    formats = count("epoch millis" if type(o["event_time"]) is int else "ISO-8601 string"
                    for o in valid)
    currencies = count(o["currency"] for o in valid)
    omitted = {f: sum(1 for o in valid if f not in o["raw"]) for f in DEFAULTS}
    null_promo = sum(1 for o in valid if "promo_code" in o["raw"] and o["promo_code"] is None)
    overflow_orders = [n for n, (o, _, _) in enumerate(parsed, 1)
                       if o and o["quantity"] * o["unit_price_cents"] > INT_MAX]
    overflow_rows = sum(1 for r in revenue if r["revenue_cents"] > INT_MAX)
    both = sorted({(r["product_id"], r["currency"], r["window_start"])
                   for r in late_rows(parsed, kinds, "late")}
                  & {(r["product_id"], r["currency"], r["window_start"])
                     for r in late_rows(parsed, kinds, "too_late")})
    designed_table = [f"| {n} | {k} | {i['note']} |"
                      for n, (k, i) in enumerate(zip(kinds, intents), 1)
                      if i["note"] and k != "malformed"]
    malformed_table = [f"| {n} | `{p[0]}` | {i['note']} |"
                       for n, ((o, p, _), i) in enumerate(zip(parsed, intents), 1) if o is None]

    md = f"""# OrderRevenue test data (generated)

Written by `generate.py`; do not edit by hand. Regenerate with

    python3 test-data/orders/generate.py

and check that the files on disk are current with `python3 test-data/orders/generate.py --check`.
The script is deterministic (seed {SEED}, no wall clock): a rerun writes identical bytes.

## Files

| File | What it is |
|---|---|
| `orders.jsonl` | {len(lines)} order events, one JSON object per line, in arrival (replay) order. |
| `expected-revenue.jsonl` | Complete batch result: one line per (product_id, currency, window) over **every** valid order, late and too-late ones included. |
| `expected-dead-letters.jsonl` | One line per invalid line of `orders.jsonl`: its 1-based line number and reason. |
| `expected-too-late.jsonl` | Orders a streaming replay diverts as too late (beyond the 1 h allowed lateness). |
| `expected-late.jsonl` | Orders a streaming replay sees late but within the allowed lateness (counted, in a late pane). |
| `small.jsonl` | 12 hand-written lines: 2 products, 3 windows, one late, one malformed (line 7), v1/v2/v3. |
| `expected-small.jsonl` | Batch result for `small.jsonl` ({len(small_revenue)} rows). |
| `expected-small-dead-letters.jsonl` | Dead letters for `small.jsonl`. |

Row formats (field order as written; times are ISO-8601 UTC with `Z`, e.g. `2026-03-01T10:05:00Z`):

- revenue: `{{"product_id", "currency", "window_start", "window_end", "order_count", "revenue_cents"}}`,
  sorted by window_start, product_id, currency; windows are `[window_start, window_end)`.
- dead letters: `{{"line", "reason"}}`, in line order.
- too late / late: `{{"line", "order_id", "product_id", "currency", "window_start", "window_end"}}`, in line order.

## How the expected files are computed

The script's reference half reads `orders.jsonl` back from disk and, for each line on its own:

1. parses it as JSON (strict: no NaN/Infinity, no duplicate keys) -> else `invalid_json`; not an object -> `not_an_object`;
2. checks fields: unknown key -> `unknown_field`; a required key (order_id, customer_id, product_id,
   quantity, unit_price_cents, event_time) absent -> `missing_field`; wrong JSON type -> `wrong_type`
   (quantity must be an integer in int32 range, unit_price_cents an int64 integer, event_time an int64
   integer of epoch millis or a string; promo_code a string or null; the rest strings);
3. validates values: empty order_id/customer_id/product_id -> `empty_field`; quantity <= 0 ->
   `invalid_quantity`; unit_price_cents < 0 -> `invalid_unit_price`; currency not `[A-Z]{{3}}` ->
   `invalid_currency`; event_time string not `YYYY-MM-DDTHH:MM:SS[.fraction]Z` -> `invalid_event_time`;
4. fills defaults (currency `USD`, shipping_method `standard`, promo_code null) and puts the order in
   the 5-minute epoch-aligned window containing event_time.

Batch result: group valid orders by (product_id, currency, window), count them and sum
quantity * unit_price_cents in arbitrary-precision integers.

Streaming replay: lines in file order; the watermark when a record arrives is (max event_time of the
valid records before it) - 1 min. Late: window_end <= watermark. Too late:
window_end - 1 ms + 1 h < watermark. (Counting the arriving record itself in the max changes nothing:
its own time can only put the watermark 1 min behind it, inside its window.) The script asserts that:

- the classification is the same whether or not dead letters' event times move the watermark;
- no valid record is within {BOUNDARY_MARGIN_MS // 1000} s of the late or too-late boundary, so a replay that is off by a
  millisecond (e.g. a `max - delay - 1 ms` watermark) gets the same answer;
- every on-time record is ahead of the watermark (jitter stays inside the 1-minute bound),
  every late record is 5-40 min behind it, every too-late record more than 65 min behind it;
- each line's parsed classification (kind, dead-letter reason, schema shape) equals what the generator
  meant; each malformed line breaks exactly one rule.

## Counts (`orders.jsonl`)

| Category | Lines |
|---|---|
| all lines | {len(lines)} |
| valid | {len(valid)} |
| - on time | {by_kind.get('on_time', 0)} |
| - late, within allowed lateness | {by_kind.get('late', 0)} |
| - too late | {by_kind.get('too_late', 0)} |
| malformed (dead letters) | {by_kind.get('malformed', 0)} |

Valid orders by schema shape (by the newest field present: promo_code -> v3, shipping_method -> v2,
neither -> v1): {', '.join(f'{k} {v}' for k, v in sorted(shapes.items()))}.
By shape and arrival: {', '.join(f'{k} {s} {v}' for (k, s), v in sorted(count((k, o['shape']) for (o, _, _), k in zip(parsed, kinds) if o).items()))}.
By currency: {', '.join(f'{k} {v}' for k, v in sorted(currencies.items()))}.
event_time as {', '.join(f'{k} {v}' for k, v in sorted(formats.items()))}.
Defaulted fields left out: currency {omitted['currency']} lines, shipping_method {omitted['shipping_method']} lines
(of which v3-shaped: {sum(1 for o in valid if o['shape'] == 'v3' and 'shipping_method' not in o['raw'])});
explicit `"promo_code": null` on {null_promo} lines.

Dead letters by reason: {', '.join(f'`{k}` {v}' for k, v in sorted(reasons.items()))}.

| Line | Reason | What is wrong |
|---|---|---|
{chr(10).join(malformed_table)}

Result rows in `expected-revenue.jsonl`: {len(revenue)}; event time spans
{revenue[0]['window_start']} to {revenue[-1]['window_end']}.

Edge cases on purpose:

- Window boundaries: an order at exactly 10:00:00Z, one at 10:04:59.999Z (in `[10:00, 10:05)`) and one
  at exactly 10:05:00Z (in `[10:05, 10:10)`), all P-100 USD.
- int overflow: orders with quantity * unit_price_cents > 2^31-1 on lines {', '.join(map(str, overflow_orders))};
  {overflow_rows} result rows have revenue_cents > 2^31-1 (one of them only through the sum of two 1.5e9 orders).
- Windows that get both late and too-late records: {', '.join(f'{p} {c} {w}' for p, c, w in both)}.
  The two too-late P-101 USD records are in the same product and window.
- A key and window whose only record is late (its first pane is a late pane), and one whose only
  record is too late (the row is in the batch result but a streaming run never emits it).

Records placed on purpose (the rest are random around these):

| Line | Kind | Why |
|---|---|---|
{chr(10).join(designed_table)}

## Spot checks

The rows below were checked by hand against the raw lines (`grep -n` on `orders.jsonl`, arithmetic
redone by hand) when the data was generated, and match `expected-revenue.jsonl`. At the same time the
whole of `expected-revenue.jsonl` was re-derived from `orders.jsonl` with a separate `jq` program
(valid lines only, windows from event_time, group and sum) and matched row for row.

"""
    checks = []
    checks += spot_check(parsed, kinds, "P-100", "USD", "2026-03-01T10:00:00Z", "boundary window")
    checks += spot_check(parsed, kinds, "P-100", "USD", "2026-03-01T10:05:00Z", "boundary window")
    checks += spot_check(parsed, kinds, "P-101", "USD", "2026-03-01T10:10:00Z",
                         "on time + late + too late")
    o = next(o for o, _, _ in parsed if o and o["unit_price_cents"] == 1_500_000_000)
    checks += spot_check(parsed, kinds, "P-104", "USD", to_iso(o["window_start"]), "sum overflows int")
    return md + "\n".join(checks).rstrip() + "\n"


def build():
    """Returns {file name: content}. Asserts everything along the way."""
    lines, intents = generate_orders()
    orders_text = "".join(line + "\n" for line in lines)
    # The reference reads the text, not the generator's structures.
    read_back = orders_text.split("\n")[:-1]
    parsed, kinds, wms = analyse(read_back)
    check_intents(parsed, kinds, intents, "orders.jsonl")
    check_margins(parsed, kinds, wms)
    ids = [o["order_id"] for o, _, _ in parsed if o]
    assert len(ids) == len(set(ids)), "duplicate order_id"
    revenue = aggregate([o for o, _, _ in parsed if o])
    assert sum(r["order_count"] for r in revenue) == sum(1 for k in kinds if k != "malformed")

    small_text = "".join(line + "\n" for line in SMALL_LINES)
    s_parsed, s_kinds, s_wms = analyse(small_text.split("\n")[:-1])
    check_intents(s_parsed, s_kinds, SMALL_INTENTS, "small.jsonl")
    check_margins(s_parsed, s_kinds, s_wms)
    small_revenue = aggregate([o for o, _, _ in s_parsed if o])

    return {
        "orders.jsonl": orders_text,
        "expected-revenue.jsonl": jsonl(revenue),
        "expected-dead-letters.jsonl": jsonl(dead_letter_rows(parsed)),
        "expected-too-late.jsonl": jsonl(late_rows(parsed, kinds, "too_late")),
        "expected-late.jsonl": jsonl(late_rows(parsed, kinds, "late")),
        "small.jsonl": small_text,
        "expected-small.jsonl": jsonl(small_revenue),
        "expected-small-dead-letters.jsonl": jsonl(dead_letter_rows(s_parsed)),
        "MANIFEST.md": manifest(read_back, parsed, kinds, intents, revenue, small_revenue),
    }


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="compare with the files on disk instead of writing them")
    args = ap.parse_args(argv)
    files = build()
    if args.check:
        stale = [name for name, text in files.items()
                 if not (HERE / name).exists() or (HERE / name).read_text() != text]
        for name in stale:
            print(f"stale: {HERE / name}", file=sys.stderr)
        return 1 if stale else 0
    for name, text in files.items():
        with open(HERE / name, "w", newline="\n") as f:
            f.write(text)
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
