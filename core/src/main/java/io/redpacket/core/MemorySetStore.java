package io.redpacket.core;

import java.util.HashMap;
import java.util.Map;

/** A {@link SetStore} in plain maps: for the audit's recomputation and for tests. */
public final class MemorySetStore implements SetStore {
  private SetState set;
  private final Map<String, UserRecord> users = new HashMap<>();

  @Override
  public SetState set() {
    return set;
  }

  @Override
  public void putSet(SetState state) {
    this.set = state;
  }

  @Override
  public UserRecord user(String userId) {
    return users.get(userId);
  }

  @Override
  public void putUser(String userId, UserRecord user) {
    users.put(userId, user);
  }
}
