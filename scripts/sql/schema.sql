-- The tables of the local PostgreSQL server (scripts/postgres-local.sh applies this file at every
-- start, so it only ever creates what is missing). Column names are the Avro field names of the
-- records read or written, so that dev.kappa.io.jdbc.Jdbc maps them by name; Avro timestamps
-- (timestamp-millis) are timestamptz.

-- dev.kappa.schemas.events.Product: what orders are enriched with (by product_id).
CREATE TABLE IF NOT EXISTS products (
  product_id  text        PRIMARY KEY,
  name        text        NOT NULL,
  category    text        NOT NULL,
  price_cents bigint      NOT NULL,
  updated_at  timestamptz NOT NULL
);

-- dev.kappa.schemas.events.Customer.
CREATE TABLE IF NOT EXISTS customers (
  customer_id text        PRIMARY KEY,
  name        text        NOT NULL,
  email       text        NOT NULL,
  tier        text        NOT NULL,
  country     text        NOT NULL,
  updated_at  timestamptz NOT NULL
);

-- dev.kappa.schemas.results.CategoryRevenue: OrderRevenue's results, one row per category,
-- currency and window. Each pane upserts its window's row, so the row holds the latest pane (the
-- final one once final_pane is true), and a replay or retry updates rows instead of adding any.
CREATE TABLE IF NOT EXISTS category_revenue (
  category      text        NOT NULL,
  currency      text        NOT NULL,
  window_start  timestamptz NOT NULL,
  window_end    timestamptz NOT NULL,
  order_count   bigint      NOT NULL,
  revenue_cents bigint      NOT NULL,
  pane_timing   text        NOT NULL,
  pane_index    bigint      NOT NULL,
  final_pane    boolean     NOT NULL,
  PRIMARY KEY (category, currency, window_start, window_end)
);

-- dev.kappa.schemas.results.OrderPaymentStatus: OrderPayments' status per order, upserted when
-- the order's payment interval closes (and again if a late payment updates it).
CREATE TABLE IF NOT EXISTS order_payment_status (
  order_id           text        NOT NULL PRIMARY KEY,
  customer_id        text        NOT NULL,
  currency           text        NOT NULL,
  order_time         timestamptz NOT NULL,
  order_total_cents  bigint      NOT NULL,
  paid_cents         bigint      NOT NULL,
  status             text        NOT NULL,
  time_to_pay_ms     bigint,
  payment_count      integer     NOT NULL,
  duplicate_payments integer     NOT NULL
);
