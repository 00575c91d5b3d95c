"""The sessions the visitor-sessions job must produce from a list of page views and orders,
computed the plain way: per visitor, sort the events by time and cut wherever the next event is a
gap or more after the previous one. Shares no code with the job.
"""
from datetime import datetime, timezone


def parse_time(value):
    if isinstance(value, (int, float)):
        return int(value)
    text = value.replace("Z", "+00:00")
    return int(round(datetime.fromisoformat(text).timestamp() * 1000))


def iso(millis):
    t = datetime.fromtimestamp(millis / 1000, tz=timezone.utc)
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    if millis % 1000:
        text += ".%03d" % (millis % 1000)
    return text + "Z"


def visitor(event):
    if "view_id" in event:
        if event.get("customer_id"):
            return event["customer_id"]
        return "anonymous:" + event["session_id"]
    return event["customer_id"]


def summarise(visitor_id, events):
    views = [e for e in events if "view_id" in e]
    orders = [e for e in events if "order_id" in e]
    start = min(e["t"] for e in events)
    end = max(e["t"] for e in events)
    landing = min(views, key=lambda e: (e["t"], e["view_id"])) if views else None
    exit_ = max(views, key=lambda e: (e["t"], e["view_id"])) if views else None
    return {
        "visitor_id": visitor_id,
        "signed_in": not visitor_id.startswith("anonymous:"),
        "session_start": iso(start),
        "session_end": iso(end),
        "duration_millis": end - start,
        "page_count": len(views),
        "distinct_products": len({e["product_id"] for e in views if e.get("product_id")}),
        "landing_page": landing["url"] if landing else None,
        "exit_page": exit_["url"] if exit_ else None,
        "referrer": landing.get("referrer") if landing else None,
        "orders": len(orders),
        "revenue_minor_units": sum(o["quantity"] * o["unit_price_cents"] for o in orders),
        "currencies": ",".join(sorted({o.get("currency", "USD") for o in orders})),
        "converted": len(orders) > 0,
    }


def sessions(events, gap):
    gap_ms = int(gap.total_seconds() * 1000)
    by_visitor = {}
    for event in events:
        event = dict(event, t=parse_time(event["event_time"]))
        by_visitor.setdefault(visitor(event), []).append(event)
    out = []
    for visitor_id in sorted(by_visitor):
        timeline = sorted(by_visitor[visitor_id], key=lambda e: e["t"])
        current = [timeline[0]]
        for event in timeline[1:]:
            if event["t"] - current[-1]["t"] >= gap_ms:
                out.append(summarise(visitor_id, current))
                current = []
            current.append(event)
        out.append(summarise(visitor_id, current))
    return out
