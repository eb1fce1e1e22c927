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
  OutcomeBoard(String bootstrap, String prefix) {
    super(bootstrap, false, null, 0, Topics.named(prefix, Topics.SHAKE_OUTCOMES), 1_000_000, "outcome-board");
  }

  static String key(String poolId, String userId, String shakeId) {
    return poolId + "|" + userId + "|" + shakeId;
  }

  @Override
  Void decodeState(byte[] value) {
    throw new UnsupportedOperationException("outcomes have no states topic");
  }

  @Override
  String stateId(Void state) {
    throw new UnsupportedOperationException("outcomes have no states topic");
  }

  @Override
  ShakeOutcome decodeAnswer(byte[] value) {
    return Codecs.OUTCOME.decode(value);
  }

  @Override
  String answerKey(ShakeOutcome o) {
    return key(o.getPoolId(), o.getUserId(), o.getShakeId());
  }
}
