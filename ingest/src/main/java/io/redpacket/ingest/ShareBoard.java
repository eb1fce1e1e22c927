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
  ShareBoard(String bootstrap, String prefix, CacheBudget budget) {
    super(bootstrap, true,
        new Feed<>(Topics.named(prefix, Topics.SHARE_STATES), Codecs.SHARE_STATE::decode, ShareState::getShareId),
        new Feed<>(Topics.named(prefix, Topics.SHARE_RESULTS), Codecs.SHARE_RESULT::decode,
            r -> key(r.getAction(), r.getShareId(), r.getUserId(), r.getRequestId())),
        budget, CacheBudget.Use.SHARE_STATES, CacheBudget.Use.SHARE_RESULTS, "share-board");
  }

  /** An answer is the one to this user's request with this key on this share: a key reused elsewhere is another request. */
  static String key(ShareAction action, String shareId, String userId, String requestId) {
    return action + "|" + shareId + "|" + userId + "|" + requestId;
  }





  ShareResult knownResult(String key) {
    return known(key);
  }

  ShareState share(String shareId) {
    return state(shareId);
  }
}
