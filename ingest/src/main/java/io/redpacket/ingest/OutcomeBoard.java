package io.redpacket.ingest;

import io.redpacket.avro.ShakeOutcome;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;

/**
 * Outcomes as the allocation job writes them, read uncommitted so a waiting request is answered
 * as soon as the job decides, not a checkpoint later. Safe because allocation is deterministic:
 * if the job fails before committing, its replay writes the same outcome. Recent outcomes are
 * kept, bounded, for {@code GET /v1/shakes/{id}} and client retries.
 */
final class OutcomeBoard extends JobBoard<Void, ShakeOutcome> {
  OutcomeBoard(String bootstrap, String prefix, CacheBudget budget) {
    super(bootstrap, false, null, new Feed<>(Topics.named(prefix, Topics.SHAKE_OUTCOMES), Codecs.OUTCOME::decode,
        o -> key(o.getPoolId(), o.getUserId(), o.getShakeId())), budget, null, CacheBudget.Use.SHAKE_OUTCOMES,
        "outcome-board");
  }

  static String key(String poolId, String userId, String shakeId) {
    return poolId + "|" + userId + "|" + shakeId;
  }




}
