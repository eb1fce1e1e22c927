package io.redpacket.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareResult;
import io.redpacket.avro.ShareState;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What the sharing job has decided, for the share and claim endpoints: the latest state of each
 * share (from the compacted {@code share-states}, bounded in memory) and the answers to share
 * and claim requests (from {@code share-results}).
 */
final class ShareBoard extends CommittedBoard {
  private final Cache<String, ShareState> shares = Caffeine.newBuilder().maximumSize(2_000_000).build();
  private final Answers<ShareResult> results = new Answers<>(500_000, Duration.ofMinutes(30));

  ShareBoard(String bootstrap, String prefix) {
    super(bootstrap, Topics.named(prefix, Topics.SHARE_STATES), Topics.named(prefix, Topics.SHARE_RESULTS), "share-board");
  }

  /** An answer is the one to this user's request with this key on this share: a key reused elsewhere is another request. */
  static String key(ShareAction action, String shareId, String userId, String requestId) {
    return action + "|" + shareId + "|" + userId + "|" + requestId;
  }

  @Override
  void onState(byte[] value) {
    ShareState s = Codecs.SHARE_STATE.decode(value);
    shares.put(s.getShareId(), s);
  }

  @Override
  void onAnswer(byte[] value) {
    ShareResult r = Codecs.SHARE_RESULT.decode(value);
    results.publish(key(r.getAction(), r.getShareId(), r.getUserId(), r.getRequestId()), r);
  }

  /** Registers interest before the request is sent, so its answer cannot slip by. */
  CompletableFuture<ShareResult> await(String key) {
    return results.await(key);
  }

  void forget(String key) {
    results.forget(key);
  }

  ShareResult knownResult(String key) {
    return results.known(key);
  }

  ShareState share(String shareId) {
    return shares.getIfPresent(shareId);
  }
}
