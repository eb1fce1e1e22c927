package io.redpacket.jobs.allocation;

import io.redpacket.core.SeenShake;
import io.redpacket.core.SetState;
import io.redpacket.core.SetStore;
import io.redpacket.core.UserWins;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;

/** The allocator's {@link SetStore} over Flink keyed state (RocksDB); scoped to the current key. */
final class FlinkSetStore implements SetStore {
  private final ValueState<SetState> set;
  private final MapState<String, UserWins> users;
  private final MapState<String, SeenShake> seen;

  FlinkSetStore(ValueState<SetState> set, MapState<String, UserWins> users, MapState<String, SeenShake> seen) {
    this.set = set;
    this.users = users;
    this.seen = seen;
  }

  @Override
  public SetState set() {
    return call(set::value);
  }

  @Override
  public void putSet(SetState state) {
    run(() -> set.update(state));
  }

  @Override
  public UserWins user(String userId) {
    return call(() -> users.get(userId));
  }

  @Override
  public void putUser(String userId, UserWins wins) {
    run(() -> users.put(userId, wins));
  }

  @Override
  public SeenShake seen(String shakeId) {
    return call(() -> seen.get(shakeId));
  }

  @Override
  public void putSeen(String shakeId, SeenShake s) {
    run(() -> seen.put(shakeId, s));
  }

  void retire() {
    users.clear();
    seen.clear();
  }

  private interface StateCall<T> {
    T call() throws Exception;
  }

  private interface StateRun {
    void run() throws Exception;
  }

  private static <T> T call(StateCall<T> c) {
    try {
      return c.call();
    } catch (Exception e) {
      throw new IllegalStateException("state access failed", e);
    }
  }

  private static void run(StateRun r) {
    try {
      r.run();
    } catch (Exception e) {
      throw new IllegalStateException("state access failed", e);
    }
  }
}
