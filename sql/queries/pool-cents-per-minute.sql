-- Granted, credited and refunded cents per pool per minute (of the entries' own time), from the ledger:
-- a RESERVE entry is a grant, a CREDIT an opened grant, a REFUND an expired one.
SELECT poolId, window_start, window_end,
  SUM(CASE WHEN `kind` = 'RESERVE' THEN creditCents ELSE 0 END) AS granted_cents,
  SUM(CASE WHEN `kind` = 'CREDIT' THEN creditCents ELSE 0 END) AS credited_cents,
  SUM(CASE WHEN `kind` = 'REFUND' THEN creditCents ELSE 0 END) AS refunded_cents
FROM TABLE(TUMBLE(TABLE ledger, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
GROUP BY poolId, window_start, window_end;
