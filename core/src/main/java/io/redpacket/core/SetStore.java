package io.redpacket.core;

/**
 * The state of one (pool, set) key. The Flink job backs it with RocksDB keyed state; the audit
 * and unit tests back it with maps. The allocator sees no difference, which is what lets the
 * audit recompute the job's grants byte for byte.
 */
public interface SetStore {
  SetState set();

  void putSet(SetState state);

  UserRecord user(String userId);

  /** The same, given the user id's {@link StableHash}, which the allocator has already computed for the user's set. */
  default UserRecord user(String userId, long userHash) {
    return user(userId);
  }

  void putUser(String userId, UserRecord user);
}
