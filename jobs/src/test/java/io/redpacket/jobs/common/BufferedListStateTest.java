package io.redpacket.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.junit.jupiter.api.Test;

/** The heap in front of a keyed list state, against a keyed list state and key context of plain maps. */
class BufferedListStateTest {
  /** A keyed list state and the key it is at, as an operator's are; counts every call that reaches it. */
  static final class Keyed implements ListState<String>, KeyContext {
    final Map<Object, List<String>> stored = new HashMap<>();
    Object key;
    int calls;

    @Override
    public void setCurrentKey(Object key) {
      this.key = key;
    }

    @Override
    public Object getCurrentKey() {
      return key;
    }

    @Override
    public Iterable<String> get() {
      calls++;
      return stored.get(key);
    }

    @Override
    public void add(String value) {
      calls++;
      stored.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    @Override
    public void update(List<String> values) {
      calls++;
      if (values.isEmpty()) {
        stored.remove(key);
      } else {
        stored.put(key, new ArrayList<>(values));
      }
    }

    @Override
    public void addAll(List<String> values) {
      calls++;
      if (!values.isEmpty()) {
        stored.computeIfAbsent(key, k -> new ArrayList<>()).addAll(values);
      }
    }

    @Override
    public void clear() {
      calls++;
      stored.remove(key);
    }
  }

  final Keyed keyed = new Keyed();

  BufferedListState<String> buffered(int maxKeys) {
    BufferedListState<String> b = new BufferedListState<>(keyed, maxKeys);
    b.bufferWith(keyed);
    return b;
  }

  @Test
  void aListFilledAndEmptiedBetweenTwoCheckpointsNeverReachesTheState() throws Exception {
    BufferedListState<String> b = buffered(100);
    keyed.setCurrentKey("g1");
    b.addToEmpty("o1");
    b.add("o2");
    assertThat(b.get()).containsExactly("o1", "o2");
    b.clear();
    assertThat(b.get()).isEmpty();
    b.flush();
    assertThat(keyed.calls).as("neither read, written nor cleared").isZero();
    assertThat(keyed.stored).isEmpty();
  }

  @Test
  void addsJoinWhatTheStateHoldsAndAClearReplacesItAtTheFlush() throws Exception {
    BufferedListState<String> b = buffered(100);
    keyed.stored.put("g1", new ArrayList<>(List.of("old")));
    keyed.stored.put("g2", new ArrayList<>(List.of("gone")));
    keyed.setCurrentKey("g1");
    b.add("new");
    assertThat(b.get()).containsExactly("old", "new");
    keyed.setCurrentKey("g2");
    b.clear();
    b.add("after");
    assertThat(b.get()).as("the cleared state is not read").containsExactly("after");
    keyed.setCurrentKey("g3");
    b.addToEmpty("first");
    b.clear();
    assertThat(keyed.stored).as("nothing written before the flush")
        .containsOnly(Map.entry("g1", List.of("old")), Map.entry("g2", List.of("gone")));
    b.flush();
    assertThat(keyed.stored).containsOnly(Map.entry("g1", List.of("old", "new")), Map.entry("g2", List.of("after")));
  }

  @Test
  void aClearOfWhatTheStateHoldsClearsItAndAnAddToEmptyAfterItStillReplacesIt() throws Exception {
    BufferedListState<String> b = buffered(100);
    keyed.stored.put("g1", new ArrayList<>(List.of("old")));
    keyed.setCurrentKey("g1");
    b.clear();
    b.addToEmpty("again"); // the list is empty as read through the heap, though the state still holds "old"
    b.flush();
    assertThat(keyed.stored).containsOnly(Map.entry("g1", List.of("again")));
    keyed.setCurrentKey("g1");
    b.clear();
    b.flush();
    assertThat(keyed.stored).isEmpty();
  }

  @Test
  void aListWrittenOutIsReadFromTheHeapAsTheStateHoldsItUntilItIsClearedOrLetGo() throws Exception {
    BufferedListState<String> b = buffered(2);
    keyed.setCurrentKey("g1");
    b.addToEmpty("o1");
    b.flush();
    keyed.setCurrentKey("g1");
    b.add("o2");
    b.flush();
    assertThat(keyed.stored).containsOnly(Map.entry("g1", List.of("o1", "o2")));
    int calls = keyed.calls;
    keyed.setCurrentKey("g1");
    assertThat(b.get()).containsExactly("o1", "o2");
    assertThat(keyed.calls).as("read from the heap").isEqualTo(calls);

    b.clear();
    assertThat(b.get()).isEmpty();
    b.flush();
    assertThat(keyed.stored).isEmpty();
    keyed.setCurrentKey("g1");
    assertThat(b.get()).as("cleared: read from the state again, which holds nothing").isEmpty();
    assertThat(keyed.calls).isEqualTo(calls + 2);

    for (String key : List.of("g2", "g3", "g4")) { // three lists written out, two kept: g2's is let go
      keyed.setCurrentKey(key);
      b.addToEmpty("o-" + key);
    }
    b.flush();
    calls = keyed.calls;
    keyed.setCurrentKey("g2");
    assertThat(b.get()).as("let go: read from the state").containsExactly("o-g2");
    keyed.setCurrentKey("g4");
    assertThat(b.get()).containsExactly("o-g4");
    assertThat(keyed.calls).isEqualTo(calls + 1);
    b.addToEmpty("again"); // g4's list still in the state: replaced, not added to
    b.flush();
    assertThat(keyed.stored).containsEntry("g4", List.of("again"));
  }

  @Test
  void changesPastTheBoundAreWrittenOutAndTheWritersKeyStaysCurrent() throws Exception {
    BufferedListState<String> b = buffered(2);
    keyed.setCurrentKey("g1");
    b.add("a");
    keyed.setCurrentKey("g2");
    b.add("b");
    assertThat(keyed.stored).isEmpty();
    keyed.setCurrentKey("g3");
    b.add("c");
    assertThat(keyed.stored).containsOnly(Map.entry("g1", List.of("a")), Map.entry("g2", List.of("b")),
        Map.entry("g3", List.of("c")));
    assertThat(keyed.getCurrentKey()).isEqualTo("g3");
    assertThatThrownBy(() -> new BufferedListState<>(keyed, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }

  @Test
  void unboundItWritesThrough() throws Exception {
    BufferedListState<String> b = new BufferedListState<>(keyed, 10);
    keyed.setCurrentKey("g1");
    b.addToEmpty("a");
    b.add("b");
    assertThat(keyed.stored).containsEntry("g1", List.of("a", "b"));
    assertThat(b.get()).containsExactly("a", "b");
    b.clear();
    assertThat(keyed.stored).isEmpty();
  }
}
