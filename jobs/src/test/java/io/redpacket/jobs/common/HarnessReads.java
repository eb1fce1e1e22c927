package io.redpacket.jobs.common;

import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/** What the harness tests read back from an operator under test. */
public final class HarnessReads {
  private HarnessReads() {}

  /** What went to a side output; the harness has no queue for one nothing was written to. */
  public static <T> List<T> side(AbstractStreamOperatorTestHarness<?> harness, OutputTag<T> tag) {
    var queue = harness.getSideOutput(tag);
    return queue == null ? List.of() : queue.stream().map(StreamRecord::getValue).toList();
  }

  /** How many keys hold the named keyed state: what is left behind once state should be gone. */
  public static long keysIn(AbstractStreamOperatorTestHarness<?> harness, String state) throws Exception {
    KeyedStateBackend<Object> backend = ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
    try (Stream<Object> keys = backend.getKeys(state, VoidNamespace.INSTANCE)) {
      return keys.count();
    }
  }
}
