-- CardFraud's alert tables (docs/pipelines/card-fraud.md): one row per alert, keyed by its
-- identity, so that a replay or a backfill upserting into them changes no row. Idempotent.
CREATE TABLE IF NOT EXISTS velocity_alerts (
  card_id text NOT NULL,
  transaction_id text NOT NULL,
  customer_id text NOT NULL,
  merchant_id text NOT NULL,
  amount_cents bigint NOT NULL,
  currency text NOT NULL,
  country text NOT NULL,
  event_time timestamptz NOT NULL,
  PRIMARY KEY (card_id, transaction_id)
);

CREATE TABLE IF NOT EXISTS risk_alerts (
  card_id text NOT NULL,
  customer_id text NOT NULL,
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  transaction_count bigint NOT NULL,
  qualifying_count bigint NOT NULL,
  total_amount_cents bigint NOT NULL,
  distinct_merchants integer NOT NULL,
  distinct_countries integer NOT NULL,
  foreign_count bigint NOT NULL,
  score double precision NOT NULL,
  PRIMARY KEY (card_id, window_start, window_end)
);
