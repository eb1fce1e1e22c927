package io.redpacket.jobs.allocation;

import io.redpacket.avro.DeadLetter;
import io.redpacket.avro.Grant;
import io.redpacket.avro.OutcomeCode;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.PoolStatus;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.codec.Codecs;
import io.redpacket.core.Decision;
import io.redpacket.core.SetAllocator;
import io.redpacket.core.SetState;
import io.redpacket.core.UserRecord;
import io.redpacket.jobs.common.DecodeFunction;
import io.redpacket.jobs.common.KnownKeys;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Allocation for one (pool, set) key: a thin shell around {@link SetAllocator}, which holds the
 * rules. The shell adds what only a stream has: pool definitions arriving on a broadcast input,
 * shakes that come before their pool's definition (held in order, then answered), and retiring
 * a set's per-user and per-shake state by event-time timer once the pool's window and retention
 * have passed.
 */
public final class AllocateFunction extends KeyedBroadcastProcessFunction<String, Shake, PoolDefinition, ShakeOutcome>
    implements CheckpointedFunction {
  private static final long serialVersionUID = 1L;

  public static final MapStateDescriptor<String, PoolDefinition> POOLS =
      new MapStateDescriptor<>("pools", Types.STRING, TypeInformation.of(PoolDefinition.class));
  public static final OutputTag<Grant> GRANTS = new OutputTag<>("grants", TypeInformation.of(Grant.class));
  public static final OutputTag<PoolStatus> STATUS = new OutputTag<>("pool-status", TypeInformation.of(PoolStatus.class));
  private static final long PENDING_CHECK_MS = 200;
  /** Fires only at the end of a bounded input: answers whatever still waits for its pool. */
  private static final long END_OF_INPUT = Long.MAX_VALUE;

  private final AllocationSettings settings;
  private transient FlinkSetStore store;
  /**
   * Whether some key of this subtask may have shakes waiting for their pool. Reading the wait
   * marker on every shake costs a state lookup, so it is read only while this may be true:
   * after a key starts waiting, and for a while after a restore (restored waits end within
   * {@code unknownPoolWait}).
   */
  private transient int waitingKeys;
  private transient long checkWaitsUntil;
  private transient boolean restored;
  /** Users of this subtask that may hold state; checkpointed as union list state, so a rescale merges them all. */
  private transient KnownKeys knownUsers;
  private transient ListState<Shake> pending;
  private transient ValueState<Long> pendingSince;
  private transient Counter won;
  private transient Counter centsGranted;
  private transient org.apache.flink.metrics.MetricGroup metrics;
  /** Shakes answered, by outcome: a bounded label (the outcome codes). */
  private transient java.util.EnumMap<OutcomeCode, Counter> byOutcome;
  /** Per pool (few: one per campaign wave): grants and cents, and the pool's budget as a gauge. */
  private transient java.util.Map<String, Counter[]> byPool;

  public AllocateFunction(AllocationSettings settings) {
    this.settings = settings;
  }

  @Override
  public void open(OpenContext openContext) {
    var ctx = getRuntimeContext();
    store = new FlinkSetStore(ctx.getState(new ValueStateDescriptor<>("set", TypeInformation.of(SetState.class))),
        ctx.getMapState(new MapStateDescriptor<>("users", Types.STRING, TypeInformation.of(UserRecord.class))),
        knownUsers.filter(), new UserCache(settings.userCache()));
    pending = ctx.getListState(new ListStateDescriptor<>("waiting-for-pool", TypeInformation.of(Shake.class)));
    pendingSince = ctx.getState(new ValueStateDescriptor<>("waiting-since", Types.LONG));
    metrics = ctx.getMetricGroup().addGroup("redpacket");
    byOutcome = new java.util.EnumMap<>(OutcomeCode.class);
    byPool = new java.util.HashMap<>();
    won = metrics.counter("grants_total");
    centsGranted = metrics.counter("granted_cents_total");
    for (OutcomeCode code : OutcomeCode.values()) {
      byOutcome.put(code, metrics.addGroup("outcome", code.name()).counter("shakes_total"));
    }
    waitingKeys = 0;
    checkWaitsUntil = restored ? System.currentTimeMillis() + settings.unknownPoolWait().toMillis() + 5_000 : 0;
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    restored = context.isRestored();
    knownUsers = KnownKeys.restore(context, "known-users");
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    knownUsers.snapshot();
  }

  private boolean mayWait() throws Exception {
    return (waitingKeys > 0 || (checkWaitsUntil != 0 && !pastRestoreWindow())) && pendingSince.value() != null;
  }

  private boolean pastRestoreWindow() {
    if (System.currentTimeMillis() > checkWaitsUntil) {
      checkWaitsUntil = 0;
      return true;
    }
    return false;
  }

  @Override
  public void processElement(Shake shake, ReadOnlyContext ctx, Collector<ShakeOutcome> out) throws Exception {
    store.at(ctx.getCurrentKey());
    PoolDefinition pool = ctx.getBroadcastState(POOLS).get(shake.getPoolId());
    if (pool == null || mayWait()) {
      // Wait for the pool, behind any shake of this key that already waits: order is kept.
      if (pendingSince.value() == null) {
        waitingKeys++;
        pendingSince.update(ctx.timerService().currentProcessingTime());
        ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + PENDING_CHECK_MS);
        ctx.timerService().registerEventTimeTimer(END_OF_INPUT);
      }
      pending.add(shake);
      return;
    }
    allocate(pool, shake, out, ctx);
  }

  private void allocate(PoolDefinition pool, Shake shake, Collector<ShakeOutcome> out, ReadOnlyContext ctx)
      throws Exception {
    boolean fresh = store.set() == null;
    Decision d = SetAllocator.decide(pool, shake, store);
    if (fresh && store.set() != null) {
      // The set now holds state: retire it once its pool is over, by event time.
      ctx.timerService().registerEventTimeTimer(retireAt(pool));
    }
    out.collect(d.outcome());
    byOutcome.get(d.outcome().getOutcome()).inc();
    if (d.grant() != null) {
      ctx.output(GRANTS, d.grant());
      won.inc();
      centsGranted.inc(d.grant().getCents());
      Counter[] pool1 = poolMetrics(pool);
      pool1[0].inc();
      pool1[1].inc(d.grant().getCents());
    }
    if (d.status() != null) {
      ctx.output(STATUS, d.status());
    }
  }

  /**
   * A pool's grants and cents granted on this subtask, and its budget (the same on every subtask:
   * take the max across them, the sum of the granted): remaining = budget - granted.
   */
  private Counter[] poolMetrics(PoolDefinition pool) {
    return byPool.computeIfAbsent(pool.getPoolId(), id -> {
      org.apache.flink.metrics.MetricGroup g = metrics.addGroup("pool", id);
      long budget = pool.getTotalCents();
      long packets = pool.getTotalCount();
      g.gauge("budget_cents", () -> budget);
      g.gauge("budget_packets", () -> packets);
      return new Counter[] {g.counter("grants_total"), g.counter("granted_cents_total")};
    });
  }

  private long retireAt(PoolDefinition pool) {
    long at = pool.getEndMillis() + settings.retention().toMillis();
    return at < pool.getEndMillis() ? END_OF_INPUT - 1 : Math.min(at, END_OF_INPUT - 1);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ShakeOutcome> out) throws Exception {
    store.at(ctx.getCurrentKey());
    boolean endOfInput = ctx.timeDomain() == TimeDomain.EVENT_TIME && timestamp == END_OF_INPUT;
    if (pendingSince.value() != null) {
      drainPending(ctx, out, endOfInput || ctx.timeDomain() == TimeDomain.EVENT_TIME);
    }
    if (ctx.timeDomain() == TimeDomain.EVENT_TIME && !endOfInput) {
      SetState set = store.set();
      if (set != null && !set.retired) {
        set.retired = true;
        store.retire(set);
      }
    }
  }

  /** Answers the shakes that waited for their pool, in arrival order; gives up after the configured wait. */
  private void drainPending(OnTimerContext ctx, Collector<ShakeOutcome> out, boolean mustFinish) throws Exception {
    List<Shake> waiting = new ArrayList<>();
    pending.get().forEach(waiting::add);
    PoolDefinition pool = waiting.isEmpty() ? null : ctx.getBroadcastState(POOLS).get(waiting.get(0).getPoolId());
    long now = ctx.timerService().currentProcessingTime();
    boolean gaveUp = pool == null && (mustFinish || now - pendingSince.value() >= settings.unknownPoolWait().toMillis());
    if (pool == null && !gaveUp) {
      ctx.timerService().registerProcessingTimeTimer(now + PENDING_CHECK_MS);
      return;
    }
    pending.clear();
    pendingSince.clear();
    waitingKeys = Math.max(0, waitingKeys - 1);
    for (Shake s : waiting) {
      if (pool == null) {
        out.collect(SetAllocator.refused(s, OutcomeCode.UNKNOWN_POOL,
            "no pool " + s.getPoolId() + " was defined within " + settings.unknownPoolWait().toSeconds() + " s"));
        byOutcome.get(OutcomeCode.UNKNOWN_POOL).inc();
      } else {
        allocate(pool, s, out, ctx);
      }
    }
  }

  @Override
  public void processBroadcastElement(PoolDefinition pool, Context ctx, Collector<ShakeOutcome> out) throws Exception {
    PoolDefinition known = ctx.getBroadcastState(POOLS).get(pool.getPoolId());
    if (known == null) {
      ctx.getBroadcastState(POOLS).put(pool.getPoolId(), pool);
      poolMetrics(pool);
    } else if (!sameTerms(known, pool) && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
      // Pools are immutable once defined: changing a live budget would break the audit.
      ctx.output(DecodeFunction.DEAD_LETTERS, DeadLetter.newBuilder()
          .setJob("allocation").setSourceTopic("pools").setPartition(-1).setOffset(-1)
          .setKey(ByteBuffer.wrap(pool.getPoolId().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
          .setValue(ByteBuffer.wrap(Codecs.POOL.encode(pool)))
          .setError("pool " + pool.getPoolId() + " is already defined with other terms; pools cannot change once"
              + " created, so this definition is ignored: create a new pool id instead")
          .setTimestamp(pool.getCreatedMillis()).build());
    }
  }

  private static boolean sameTerms(PoolDefinition a, PoolDefinition b) {
    PoolDefinition x = PoolDefinition.newBuilder(a).setCreatedMillis(0L).build();
    PoolDefinition y = PoolDefinition.newBuilder(b).setCreatedMillis(0L).build();
    return x.equals(y);
  }
}
