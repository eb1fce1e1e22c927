package io.redpacket.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.OpenResult;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import java.time.Duration;

/**
 * What settlement has decided, for the open, grant and share endpoints: the latest state of each
 * grant (from the compacted {@code grant-states}) and the answers to opens (from {@code open-results}),
 * read committed: the jobs' expiries run on the wall clock, so an uncommitted answer could differ
 * from the one a replay commits.
 */
final class SettlementBoard extends JobBoard<GrantState, OpenResult> {
  /** Grants whose open Kafka accepted but whose credit is not yet read back: shown as OPENED. */
  private final Cache<String, Boolean> openSent;

  SettlementBoard(String bootstrap, String prefix, CacheBudget budget) {
    super(bootstrap, true,
        new Feed<>(Topics.named(prefix, Topics.GRANT_STATES), Codecs.GRANT_STATE::decode, GrantState::getGrantId),
        new Feed<>(Topics.named(prefix, Topics.OPEN_RESULTS), Codecs.OPEN_RESULT::decode,
            r -> openKey(r.getUserId(), r.getOpenId())),
        budget, CacheBudget.Use.GRANT_STATES, CacheBudget.Use.OPEN_RESULTS, "settlement-board");
    this.openSent = budget.cache(CacheBudget.Use.OPENS_SENT, b -> 0, Duration.ofMinutes(10), false);
  }

  static String openKey(String userId, String openId) {
    return userId + "|" + openId;
  }





  OpenResult knownResult(String key) {
    return known(key);
  }

  GrantState grant(String grantId) {
    return state(grantId);
  }

  void markOpenSent(String grantId) {
    openSent.put(grantId, Boolean.TRUE);
  }

  boolean openSent(String grantId) {
    return openSent.getIfPresent(grantId) != null;
  }
}
