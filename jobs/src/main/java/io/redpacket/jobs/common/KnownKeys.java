package io.redpacket.jobs.common;

import io.redpacket.core.KeyFilter;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys of a subtask that may hold keyed state, as a {@link KeyFilter} checkpointed in union list state: a key
 * certainly without state (a key seen the first time) is answered without a state read, which for RocksDB is the
 * dearest kind (a miss looks through the memtables and every level's files). Union: after a rescale every subtask
 * gets every subtask's filter and keeps their union, so a key that moved stays known. Restored without a usable
 * filter (state of a version without it, or of another size), every key counts as known: the reads come back,
 * never a false "no state".
 */
public final class KnownKeys {
  private static final Logger LOG = LoggerFactory.getLogger(KnownKeys.class);
  private final ListState<long[]> snapshots;
  private final KeyFilter filter;

  private KnownKeys(ListState<long[]> snapshots, KeyFilter filter) {
    this.snapshots = snapshots;
    this.filter = filter;
  }

  /** Call from {@code initializeState}; {@code name} names the operator state (keep it stable). */
  public static KnownKeys restore(FunctionInitializationContext context, String name) throws Exception {
    ListState<long[]> state = context.getOperatorStateStore().getUnionListState(
        new ListStateDescriptor<>(name, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    KeyFilter filter = new KeyFilter(KeyFilter.DEFAULT_BITS);
    if (context.isRestored()) {
      List<long[]> filters = new ArrayList<>();
      state.get().forEach(filters::add);
      if (filters.isEmpty() || !filters.stream().allMatch(filter::sameSize)) {
        LOG.warn("{}: restored without a filter of the keys with state ({} filters of other sizes or none):"
            + " every key counts as known and is read from state", name, filters.size());
        filter = KeyFilter.everyone(KeyFilter.DEFAULT_BITS);
      } else {
        filters.forEach(filter::addAll);
      }
    }
    return new KnownKeys(state, filter);
  }

  /** Whether the key may hold state; false means it certainly holds none. */
  public boolean mayHave(String key) {
    return filter.mightContain(key);
  }

  /** Call before (or when) the key's state is first written. */
  public void add(String key) {
    filter.add(key);
  }

  /** The filter itself, for a store that checks and adds keys on its own. */
  public KeyFilter filter() {
    return filter;
  }

  /** Call from {@code snapshotState}. */
  public void snapshot() throws Exception {
    snapshots.update(List.of(filter.words()));
  }
}
