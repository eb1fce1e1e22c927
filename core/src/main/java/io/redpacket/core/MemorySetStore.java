package io.redpacket.core;

import java.util.HashMap;
import java.util.Map;

/** A {@link SetStore} in plain maps: for the audit's recomputation and for tests. */
public final class MemorySetStore implements SetStore {
  private SetState set;
  private final Map<String, UserWins> users = new HashMap<>();
  private final Map<String, SeenShake> seen = new HashMap<>();

  @Override
  public SetState set() {
    return set;
  }

  @Override
  public void putSet(SetState state) {
    this.set = state;
  }

  @Override
  public UserWins user(String userId) {
    return users.get(userId);
  }

  @Override
  public void putUser(String userId, UserWins wins) {
    users.put(userId, wins);
  }

  @Override
  public SeenShake seen(String shakeId) {
    return seen.get(shakeId);
  }

  @Override
  public void putSeen(String shakeId, SeenShake s) {
    seen.put(shakeId, s);
  }
}
