package io.redpacket.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.OpenResult;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What settlement has decided, for the open, grant and share endpoints: the latest state of each
 * grant (from the compacted {@code grant-states}, bounded in memory) and the answers to opens
 * (from {@code open-results}).
 */
final class SettlementBoard extends CommittedBoard {
  private final Cache<String, GrantState> grants = Caffeine.newBuilder().maximumSize(5_000_000).build();
  private final Answers<OpenResult> results = new Answers<>(500_000, Duration.ofMinutes(30));

  SettlementBoard(String bootstrap, String prefix) {
    super(bootstrap, Topics.named(prefix, Topics.GRANT_STATES), Topics.named(prefix, Topics.OPEN_RESULTS),
        "settlement-board");
  }

  static String openKey(String userId, String openId) {
    return userId + "|" + openId;
  }

  @Override
  void onState(byte[] value) {
    GrantState s = Codecs.GRANT_STATE.decode(value);
    grants.put(s.getGrantId(), s);
  }

  @Override
  void onAnswer(byte[] value) {
    publish(Codecs.OPEN_RESULT.decode(value));
  }

  void publish(OpenResult r) {
    results.publish(openKey(r.getUserId(), r.getOpenId()), r);
  }

  /** Registers interest before the open is sent, so its answer cannot slip by. */
  CompletableFuture<OpenResult> await(String key) {
    return results.await(key);
  }

  void forget(String key) {
    results.forget(key);
  }

  OpenResult knownResult(String key) {
    return results.known(key);
  }

  GrantState grant(String grantId) {
    return grants.getIfPresent(grantId);
  }
}
