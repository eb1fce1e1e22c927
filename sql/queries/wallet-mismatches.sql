-- Wallets whose balance differs from the sum of their credits on the ledger (empty when all is well).
SELECT w.userId, w.balanceCents, c.creditedCents
FROM wallets AS w
LEFT JOIN (
  SELECT creditAccount, SUM(creditCents) AS creditedCents
  FROM ledger
  WHERE `kind` IN ('CREDIT', 'SHARE_CREDIT')
  GROUP BY creditAccount
) AS c ON c.creditAccount = CONCAT('wallet:', w.userId)
WHERE c.creditedCents IS NULL OR c.creditedCents <> w.balanceCents;
