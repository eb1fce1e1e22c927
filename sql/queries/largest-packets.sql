-- The ten largest packets of a wave (a wave is a pool; 'demo' is the demo's pool id).
SELECT grantId, userId, cents, TO_TIMESTAMP_LTZ(`timestamp`, 3) AS granted_at
FROM grants
WHERE poolId = 'demo'
ORDER BY cents DESC
LIMIT 10;
