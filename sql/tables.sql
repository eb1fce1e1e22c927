-- Every topic of the pipeline as a Flink SQL table, in the format 'redpacket-avro' (module sql-format).
-- `./redpacket sql` loads this file with ${bootstrap}, ${prefix} (the topic prefix) and ${bounded} filled in:
-- ${bounded} is empty for live (unbounded) tables, or 'scan.bounded.mode' = 'latest-offset', with --bounded,
-- so a query reads what is committed now and ends with its final answer (streaming mode still: batch
-- mode cannot read upsert tables).
-- Append-only logs are 'kafka' tables with an event time (the record's own `timestamp`) and a watermark
-- 5 seconds behind it; the compacted topics are 'upsert-kafka' tables keyed by their record key.
-- Every table reads read_committed, as the audit does. Column names are the Avro field names.

SET 'table.exec.source.idle-timeout' = '5 s';
SET 'table.local-time-zone' = 'UTC';

-- pools (compacted): key poolId.

CREATE TABLE IF NOT EXISTS pools (
  `poolId` STRING NOT NULL,
  `sponsor` STRING,
  `totalCents` BIGINT,
  `totalCount` INT,
  `sets` INT,
  `minCents` BIGINT,
  `maxCents` BIGINT,
  `startMillis` BIGINT,
  `endMillis` BIGINT,
  `splitMode` STRING,
  `perUserLimit` INT,
  `pacing` BOOLEAN,
  `createdMillis` BIGINT,
  `shareCents` BIGINT,
  `sharePieces` INT,
  PRIMARY KEY (poolId) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${prefix}pools',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  ${bounded}
  'key.format' = 'raw',
  'value.format' = 'redpacket-avro'
);

-- shakes: key poolId/setId; the shake's own time.

CREATE TABLE IF NOT EXISTS shakes (
  `shakeId` STRING,
  `userId` STRING,
  `poolId` STRING,
  `setId` INT,
  `timestamp` BIGINT,
  `device` STRING,
  `event_time` AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${prefix}shakes',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  ${bounded}
  'format' = 'redpacket-avro'
);

-- shake-outcomes: key shakeId; outcome WON, ALREADY_WON, NOT_LUCKY, POOL_EXHAUSTED, POOL_NOT_ACTIVE, UNKNOWN_POOL, REJECTED.

CREATE TABLE IF NOT EXISTS shake_outcomes (
  `shakeId` STRING,
  `userId` STRING,
  `poolId` STRING,
  `setId` INT,
  `outcome` STRING,
  `grantId` STRING,
  `cents` BIGINT,
  `reason` STRING,
  `duplicate` BOOLEAN,
  `timestamp` BIGINT,
  `event_time` AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${prefix}shake-outcomes',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  ${bounded}
  'format' = 'redpacket-avro'
);

-- grants: key grantId (poolId/setId/sequence); the winning shake's time.

CREATE TABLE IF NOT EXISTS grants (
  `grantId` STRING,
  `shakeId` STRING,
  `userId` STRING,
  `poolId` STRING,
  `setId` INT,
  `cents` BIGINT,
  `sequence` BIGINT,
  `timestamp` BIGINT,
  `sponsor` STRING,
  `shareCents` BIGINT,
  `sharePieces` INT,
  `event_time` AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${prefix}grants',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  ${bounded}
  'format' = 'redpacket-avro'
);

-- pool-status (compacted): key poolId/setId, which is no field of its own: the column statusKey.

CREATE TABLE IF NOT EXISTS pool_status (
  `statusKey` STRING NOT NULL,
  `poolId` STRING,
  `setId` INT,
  `sets` INT,
  `remainingCount` BIGINT,
  `remainingCents` BIGINT,
  `grantedCount` BIGINT,
  `grantedCents` BIGINT,
  `exhausted` BOOLEAN,
  `timestamp` BIGINT,
  PRIMARY KEY (statusKey) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${prefix}pool-status',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  ${bounded}
  'key.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY',
  'value.format' = 'redpacket-avro'
);

-- dead-letters: key the source topic.

CREATE TABLE IF NOT EXISTS dead_letters (
  `job` STRING,
  `sourceTopic` STRING,
  `partition` INT,
  `offset` BIGINT,
  `key` BYTES,
  `value` BYTES,
  `error` STRING,
  `timestamp` BIGINT,
  `event_time` AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${prefix}dead-letters',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  ${bounded}
  'format' = 'redpacket-avro'
);

-- opens: key grantId.

CREATE TABLE IF NOT EXISTS opens (
  `openId` STRING,
  `grantId` STRING,
  `userId` STRING,
  `timestamp` BIGINT,
  `event_time` AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${prefix}opens',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  ${bounded}
  'format' = 'redpacket-avro'
);

-- open-results: key openId; result OPENED, ALREADY_OPENED, NOT_OWNER, EXPIRED, UNKNOWN_GRANT.

CREATE TABLE IF NOT EXISTS open_results (
  `openId` STRING,
  `grantId` STRING,
  `userId` STRING,
  `result` STRING,
  `cents` BIGINT,
  `timestamp` BIGINT,
  `event_time` AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${prefix}open-results',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  ${bounded}
  'format' = 'redpacket-avro'
);

-- ledger: key entryId; kind RESERVE, CREDIT, REFUND, SHARE_RESERVE, SHARE_CREDIT, SHARE_REFUND.

CREATE TABLE IF NOT EXISTS ledger (
  `entryId` STRING,
  `kind` STRING,
  `grantId` STRING,
  `poolId` STRING,
  `userId` STRING,
  `debitAccount` STRING,
  `debitCents` BIGINT,
  `creditAccount` STRING,
  `creditCents` BIGINT,
  `timestamp` BIGINT,
  `event_time` AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${prefix}ledger',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  ${bounded}
  'format' = 'redpacket-avro'
);

-- wallets (compacted): key userId; the balance after the last credit.

CREATE TABLE IF NOT EXISTS wallets (
  `userId` STRING NOT NULL,
  `balanceCents` BIGINT,
  `credits` BIGINT,
  `lastEntryId` STRING,
  `timestamp` BIGINT,
  PRIMARY KEY (userId) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${prefix}wallets',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  ${bounded}
  'key.format' = 'raw',
  'value.format' = 'redpacket-avro'
);

-- grant-states (compacted): key grantId; state GRANTED, OPENED, CREDITED, EXPIRED.

CREATE TABLE IF NOT EXISTS grant_states (
  `grantId` STRING NOT NULL,
  `userId` STRING,
  `poolId` STRING,
  `cents` BIGINT,
  `state` STRING,
  `openId` STRING,
  `grantedMillis` BIGINT,
  `openedMillis` BIGINT,
  `timestamp` BIGINT,
  `sponsor` STRING,
  `shareCents` BIGINT,
  `sharePieces` INT,
  PRIMARY KEY (grantId) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${prefix}grant-states',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  ${bounded}
  'key.format' = 'raw',
  'value.format' = 'redpacket-avro'
);

-- shares: key shareId; action SHARE.

CREATE TABLE IF NOT EXISTS shares (
  `requestId` STRING,
  `shareId` STRING,
  `userId` STRING,
  `action` STRING,
  `timestamp` BIGINT,
  `event_time` AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${prefix}shares',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  ${bounded}
  'format' = 'redpacket-avro'
);

-- share-claims: key shareId; action CLAIM.

CREATE TABLE IF NOT EXISTS share_claims (
  `requestId` STRING,
  `shareId` STRING,
  `userId` STRING,
  `action` STRING,
  `timestamp` BIGINT,
  `event_time` AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${prefix}share-claims',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  ${bounded}
  'format' = 'redpacket-avro'
);

-- share-grants: key shareId; kind RESERVE, PIECE, REFUND.

CREATE TABLE IF NOT EXISTS share_grants (
  `moveId` STRING,
  `kind` STRING,
  `shareId` STRING,
  `poolId` STRING,
  `sponsor` STRING,
  `sharer` STRING,
  `userId` STRING,
  `piece` INT,
  `cents` BIGINT,
  `timestamp` BIGINT,
  `event_time` AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${prefix}share-grants',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  ${bounded}
  'format' = 'redpacket-avro'
);

-- share-results: key requestId.

CREATE TABLE IF NOT EXISTS share_results (
  `requestId` STRING,
  `shareId` STRING,
  `userId` STRING,
  `action` STRING,
  `result` STRING,
  `cents` BIGINT,
  `piece` INT,
  `timestamp` BIGINT,
  `event_time` AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${prefix}share-results',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  ${bounded}
  'format' = 'redpacket-avro'
);

-- share-states (compacted): key shareId; phase OPEN, ALL_CLAIMED, EXPIRED.

CREATE TABLE IF NOT EXISTS share_states (
  `shareId` STRING NOT NULL,
  `poolId` STRING,
  `sponsor` STRING,
  `sharer` STRING,
  `requestId` STRING,
  `valueCents` BIGINT,
  `pieces` INT,
  `claims` ARRAY<ROW<`piece` INT, `userId` STRING, `requestId` STRING, `cents` BIGINT, `timestamp` BIGINT>>,
  `claimedCents` BIGINT,
  `refundedCents` BIGINT,
  `phase` STRING,
  `createdMillis` BIGINT,
  `expiresMillis` BIGINT,
  `timestamp` BIGINT,
  PRIMARY KEY (shareId) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${prefix}share-states',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  ${bounded}
  'key.format' = 'raw',
  'value.format' = 'redpacket-avro'
);

-- audit-results: key check/subject; what the continuous audit job found (empty when all is well).

CREATE TABLE IF NOT EXISTS audit_results (
  `check` STRING,
  `invariant` INT,
  `subject` STRING,
  `poolId` STRING,
  `detail` STRING,
  `detectedMillis` BIGINT,
  `timestamp` BIGINT,
  `event_time` AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${prefix}audit-results',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  ${bounded}
  'format' = 'redpacket-avro'
);
