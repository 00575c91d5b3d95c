-- VisitorSessions' sessions table (docs/pipelines/visitor-sessions.md). Idempotent.
-- One row per session, keyed by (visitor_id, session_start). Sessions are upserted and versioned by
-- (page_count, orders): a later version of a session always has more pages or orders, so an older
-- version arriving late changes nothing. A retraction marks its row retracted (a tombstone, inserted
-- if the session's upsert has not arrived yet), and no upsert touches a retracted row: the table
-- is right whatever order the job's two writing steps reach it in. Only the key and `retracted`
-- are NOT NULL, since a tombstone may arrive before any version of its row. Read the live sessions
-- from visitor_sessions_live.
CREATE TABLE IF NOT EXISTS visitor_sessions (
  visitor_id text NOT NULL,
  signed_in boolean,
  session_start timestamptz NOT NULL,
  session_end timestamptz,
  duration_millis bigint,
  page_count integer,
  distinct_products integer,
  landing_page text,
  exit_page text,
  referrer text,
  orders integer,
  revenue_minor_units bigint,
  currencies text,
  converted boolean,
  retracted boolean NOT NULL DEFAULT false,
  PRIMARY KEY (visitor_id, session_start)
);

CREATE OR REPLACE VIEW visitor_sessions_live AS
  SELECT visitor_id, signed_in, session_start, session_end, duration_millis, page_count,
         distinct_products, landing_page, exit_page, referrer, orders, revenue_minor_units,
         currencies, converted
  FROM visitor_sessions WHERE NOT retracted;
