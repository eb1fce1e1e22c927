package io.redpacket.jobs.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.core.KeyFilter;
import io.redpacket.core.SetState;
import io.redpacket.core.UserRecord;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.junit.jupiter.api.Test;

/** The store's heap bookkeeping, over keyed state kept in maps (the job's own tests run it over RocksDB). */
class FlinkSetStoreTest {
  /** Keyed value state of one key at a time, as Flink scopes it; counts its reads. */
  private static final class Values implements ValueState<SetState> {
    final Map<String, SetState> byKey = new HashMap<>();
    String key;
    int reads;

    @Override
    public SetState value() {
      reads++;
      return byKey.get(key);
    }

    @Override
    public void update(SetState value) {
      byKey.put(key, value);
    }

    @Override
    public void clear() {
      byKey.remove(key);
    }
  }

  private final Values sets = new Values();
  private final FlinkSetStore store = new FlinkSetStore(sets, new Users(), new KeyFilter(1024), new UserCache(10));

  private void at(String key) {
    sets.key = key;
    store.at(new String(key)); // a record's key is a new string each time
  }

  @Test
  void keysOfPoolsWithoutASetTakeNoHeap() {
    for (int i = 0; i < 1_000; i++) {
      at("no-such-pool-" + i + "/0"); // a shake of a pool never defined: it waits, its set is never asked for
    }
    at("p/0");
    assertThat(store.set()).isNull();
    assertThat(store.setsKept()).isZero();
    at("p/1");
    store.putSet(SetState.initial(new io.redpacket.core.PoolRules.SetBudget(10, 1_000)));
    assertThat(store.setsKept()).isEqualTo(1);
  }

  @Test
  void aSetIsReadFromStateOnceThenFromTheHeap() {
    sets.byKey.put("p/1", SetState.initial(new io.redpacket.core.PoolRules.SetBudget(10, 1_000)));
    at("p/1");
    SetState first = store.set();
    at("p/2");
    assertThat(store.set()).isNull();
    at("p/1");
    assertThat(store.set()).isSameAs(first);
    at("p/1");
    assertThat(store.set()).isSameAs(first);
    assertThat(sets.reads).isEqualTo(2); // p/1 once, p/2 once
  }

  @Test
  void aUserRecordPutUnderOneInstanceOfTheKeyIsFoundUnderAnother() {
    at("p/1");
    store.putSet(SetState.initial(new io.redpacket.core.PoolRules.SetBudget(10, 1_000)));
    UserRecord alice = new UserRecord();
    store.putUser("alice", alice);
    at("p/1");
    assertThat(store.user(new String("alice"))).isSameAs(alice);
    at("p/2");
    assertThat(store.user("alice")).isNull(); // read from state: this key has none
  }

  /** Keyed map state of one key at a time; the user store of {@link FlinkSetStore}. */
  private final class Users implements MapState<String, UserRecord> {
    final Map<String, Map<String, UserRecord>> byKey = new HashMap<>();

    private Map<String, UserRecord> now() {
      return byKey.computeIfAbsent(sets.key, k -> new HashMap<>());
    }

    @Override
    public UserRecord get(String userId) {
      return now().get(userId);
    }

    @Override
    public void put(String userId, UserRecord value) {
      now().put(userId, value);
    }

    @Override
    public void putAll(Map<String, UserRecord> map) {
      now().putAll(map);
    }

    @Override
    public void remove(String userId) {
      now().remove(userId);
    }

    @Override
    public boolean contains(String userId) {
      return now().containsKey(userId);
    }

    @Override
    public Iterable<Map.Entry<String, UserRecord>> entries() {
      return now().entrySet();
    }

    @Override
    public Iterable<String> keys() {
      return now().keySet();
    }

    @Override
    public Iterable<UserRecord> values() {
      return now().values();
    }

    @Override
    public java.util.Iterator<Map.Entry<String, UserRecord>> iterator() {
      return now().entrySet().iterator();
    }

    @Override
    public boolean isEmpty() {
      return now().isEmpty();
    }

    @Override
    public void clear() {
      byKey.remove(sets.key);
    }
  }
}
