package io.redpacket.ingest;

import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareResult;
import io.redpacket.avro.ShareState;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;

/**
 * What the sharing job has decided, for the share and claim endpoints: the latest state of each
 * share (from the compacted {@code share-states}) and the answers to share and claim requests
 * (from {@code share-results}), read committed as settlement's.
 */
final class ShareBoard extends JobBoard<ShareState, ShareResult> {
  ShareBoard(String bootstrap, String prefix) {
    super(bootstrap, true, Topics.named(prefix, Topics.SHARE_STATES), 2_000_000,
        Topics.named(prefix, Topics.SHARE_RESULTS), 500_000, "share-board");
  }

  /** An answer is the one to this user's request with this key on this share: a key reused elsewhere is another request. */
  static String key(ShareAction action, String shareId, String userId, String requestId) {
    return action + "|" + shareId + "|" + userId + "|" + requestId;
  }

  @Override
  ShareState decodeState(byte[] value) {
    return Codecs.SHARE_STATE.decode(value);
  }

  @Override
  String stateId(ShareState s) {
    return s.getShareId();
  }

  @Override
  ShareResult decodeAnswer(byte[] value) {
    return Codecs.SHARE_RESULT.decode(value);
  }

  @Override
  String answerKey(ShareResult r) {
    return key(r.getAction(), r.getShareId(), r.getUserId(), r.getRequestId());
  }

  ShareResult knownResult(String key) {
    return known(key);
  }

  ShareState share(String shareId) {
    return state(shareId);
  }
}
