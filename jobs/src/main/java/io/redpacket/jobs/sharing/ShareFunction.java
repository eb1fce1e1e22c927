package io.redpacket.jobs.sharing;

import io.redpacket.avro.GrantState;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareCode;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareResult;
import io.redpacket.avro.ShareState;
import io.redpacket.core.Sharing;
import io.redpacket.core.Waiting;
import io.redpacket.jobs.common.BufferedListState;
import io.redpacket.jobs.common.BufferedValueState;
import io.redpacket.jobs.common.HeapBuffered;
import io.redpacket.jobs.common.KnownKeys;
import io.redpacket.jobs.common.WaitingKeys;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * One share, keyed by share id (= its grant's id): a thin shell around {@link Sharing}, which
 * holds the rules. It learns the grant from the settlement job's grant states; a share request
 * that comes before its grant is seen opened waits, and so does a claim that comes before its
 * share, both bounded. Expiry refunds the rest; state and timers go after the retention.
 * A claim is judged against the expiry by its own time stamp, and the refund and the retention run on
 * event time: once the requests the job has read (their watermark,
 * {@link io.redpacket.jobs.common.Topology#requestTime()}) are a grace past the expiry. So a claim
 * stamped in time is honoured however late the job reads it (a lag, a restore); at the end of a wave
 * the quiet partitions' watermarks follow the clock. Only the waits run on processing time. The
 * money's own time stamps come from the records.
 *
 * <p>Run by the job's operator ({@link HeapBuffered}), a share's state is written to RocksDB once per checkpoint in
 * which it changed, not on every claim: a share's claims mostly come within a second, and each would otherwise read
 * and rewrite the whole state with every claim so far. So are the requests that wait for their grant or share and
 * their deadline (a wait ended before the checkpoint never reaches RocksDB), and a new share is known new without a
 * state read ({@link KnownKeys}).
 */
public final class ShareFunction extends KeyedCoProcessFunction<String, GrantState, ShareRequest, ShareGrant>
    implements CheckpointedFunction, HeapBuffered {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<ShareState> STATES = new OutputTag<>("share-states", TypeInformation.of(ShareState.class));
  public static final OutputTag<ShareResult> RESULTS = new OutputTag<>("share-results", TypeInformation.of(ShareResult.class));

  /**
   * What the share states waiting on the heap may weigh at most, per subtask, in claims (a share counts one more),
   * before all are written out early. A claim takes about 200 bytes with its share: some 80 MB. The benches changed
   * up to about 13,000 shares a second per subtask, with 6 or 7 claims each: room for 4 seconds of them.
   */
  public static final int MAX_CLAIMS_ON_HEAP = 400_000;
  /** Shares with requests waiting whose changes wait on the heap at most; past it they are all written out early. */
  static final int MAX_WAITING_KEYS = 40_000;

  private final SharingSettings settings;
  private final int maxClaimsOnHeap;
  private transient ValueState<GrantState> grant;
  private transient BufferedValueState<ShareState> share;
  /** The shares of this subtask that may hold state: a new share is known new without a state read. */
  private transient KnownKeys knownShares;
  private transient BufferedListState<ShareRequest> waiting;
  /**
   * When the waiting requests give up (processing time): the request wait after the first one came.
   * Later ones do not move it (else a steady trickle of requests for an unknown id would hold
   * state for ever); only a restart does, once, so a backlog replayed after it still meets the
   * shares and grants behind it.
   */
  private transient BufferedValueState<Long> waitUntil;
  /** When this run of the task started (processing time). */
  private transient long startedAt;
  private transient Counter shares;
  private transient Counter pieces;
  private transient Counter centsClaimed;
  private transient Counter refunds;
  private transient Counter centsRefunded;
  private transient Counter refused;
  /**
   * The shares (keys) of this subtask with requests waiting. Reading the waiting list for every grant state and
   * share costs a RocksDB read, so it is read only for these, and for any key during the request wait after a
   * restore (requests restored waiting give up by their timers within it; a minute's margin for late timers).
   */
  private transient WaitingKeys waitingKeys;
  private transient boolean restored;

  public ShareFunction(SharingSettings settings) {
    this(settings, MAX_CLAIMS_ON_HEAP);
  }

  ShareFunction(SharingSettings settings, int maxClaimsOnHeap) {
    this.settings = settings;
    this.maxClaimsOnHeap = maxClaimsOnHeap;
  }

  /** A share state's weight on the heap: its claims, and one for the rest. */
  private static int weight(ShareState s) {
    return 1 + s.getClaims().size();
  }

  @Override
  public void bufferWith(KeyContext keys) {
    share.bufferWith(keys);
    waiting.bufferWith(keys);
    waitUntil.bufferWith(keys);
  }

  @Override
  public void flushBuffer() throws Exception {
    share.flush();
    waiting.flush();
    waitUntil.flush();
  }

  @Override
  public void open(OpenContext openContext) {
    var ctx = getRuntimeContext();
    grant = ctx.getState(new ValueStateDescriptor<>("grant", TypeInformation.of(GrantState.class)));
    share = new BufferedValueState<>(ctx.getState(new ValueStateDescriptor<>("share", TypeInformation.of(ShareState.class))),
        ShareFunction::weight, maxClaimsOnHeap);
    waiting = new BufferedListState<>(ctx.getListState(new ListStateDescriptor<>("requests-waiting",
        TypeInformation.of(ShareRequest.class))), MAX_WAITING_KEYS);
    waitUntil = new BufferedValueState<>(ctx.getState(new ValueStateDescriptor<>("wait-until",
        TypeInformation.of(Long.class))), until -> 1, MAX_WAITING_KEYS);
    startedAt = 0; // set by the first call of this run, from the timer service's clock
    var metrics = ctx.getMetricGroup().addGroup("redpacket");
    shares = metrics.counter("shares_total");
    pieces = metrics.counter("pieces_claimed_total");
    centsClaimed = metrics.counter("claimed_cents_total");
    refunds = metrics.counter("shares_refunded_total");
    centsRefunded = metrics.counter("share_refunded_cents_total");
    refused = metrics.counter("share_requests_refused_total");
    waitingKeys = new WaitingKeys(restored, settings.requestWait());
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    restored = context.isRestored();
    knownShares = KnownKeys.restore(context, "known-shares");
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    knownShares.snapshot();
  }

  @Override
  public void processElement1(GrantState g, Context ctx, Collector<ShareGrant> out) throws Exception {
    // A grant that is never shared is forgotten the retention after its latest state (its open, say).
    ctx.timerService().registerEventTimeTimer(g.getTimestamp() + settings.retention().toMillis());
    grant.update(g);
    drain(ctx, out);
  }

  @Override
  public void processElement2(ShareRequest r, Context ctx, Collector<ShareGrant> out) throws Exception {
    started(ctx.timerService().currentProcessingTime());
    if (handle(r, ctx, out)) {
      if (r.getAction() == ShareAction.SHARE) {
        drain(ctx, out); // claims that came before their share
      }
    } else if (noneWaiting(ctx)) {
      waiting.addToEmpty(r); // nothing waits: the wait starts with this request
      waitingKeys.add(ctx.getCurrentKey());
      long until = ctx.timerService().currentProcessingTime() + settings.requestWait().toMillis();
      waitUntil.update(until);
      ctx.timerService().registerProcessingTimeTimer(until);
    } else if (Waiting.mayJoin(waiting.get())) {
      waiting.add(r);
    } else { // the key's waiting list is full: answered now, as if it had waited in vain
      ctx.output(RESULTS, Sharing.gaveUp(r));
      refused.inc();
    }
  }

  /** Whether no request of this share waits yet; its wait's end is read from state only if one may. */
  private boolean noneWaiting(Context ctx) throws Exception {
    return !waitingKeys.mayWait(ctx.getCurrentKey()) || waitUntil.value() == null;
  }

  /** Decides a request, or returns false when it must wait for its grant or its share. */
  private boolean handle(ShareRequest r, Context ctx, Collector<ShareGrant> out) throws Exception {
    ShareState current = knownShares.mayHave(ctx.getCurrentKey()) ? share.value() : null;
    Sharing.Step step;
    if (r.getAction() == ShareAction.SHARE) {
      GrantState g = grant.value();
      if (Sharing.waitsForGrant(g, current)) {
        return false;
      }
      step = Sharing.share(g, current, r, settings.expiry().toMillis());
      if (step.state() != null) {
        shares.inc();
        ctx.timerService().registerEventTimeTimer(refundAt(step.state()));
      }
    } else {
      if (current == null) {
        return false;
      }
      step = Sharing.claim(current, r);
      if (step.move() != null) {
        pieces.inc();
        centsClaimed.inc(step.move().getCents());
      }
    }
    if (step.result().getResult() != ShareCode.SHARED && step.result().getResult() != ShareCode.CLAIMED) {
      refused.inc();
    }
    emit(step, ctx, out);
    return true;
  }

  /** Requests that waited and can be decided now, in the order they came. */
  private void drain(Context ctx, Collector<ShareGrant> out) throws Exception {
    if (!waitingKeys.mayWait(ctx.getCurrentKey())) {
      return;
    }
    List<ShareRequest> before = waiting.get();
    int waited = before.size();
    if (before.isEmpty()) {
      waitingKeys.remove(ctx.getCurrentKey());
      return;
    }
    List<ShareRequest> still = new ArrayList<>();
    boolean decided;
    do { // a share decided here lets the claims that waited for it through
      decided = false;
      still.clear();
      for (ShareRequest r : before) {
        if (handle(r, ctx, out)) {
          decided = true;
        } else {
          still.add(r);
        }
      }
      before = new ArrayList<>(still);
    } while (decided && !still.isEmpty());
    if (still.size() != waited) {
      waiting.update(still);
    }
    if (still.isEmpty()) {
      waitUntil.clear();
      waitingKeys.remove(ctx.getCurrentKey());
    }
  }

  private void started(long now) {
    if (startedAt == 0) {
      startedAt = now;
    }
  }

  /** The refund waits for claims stamped before the expiry that are still on their way. */
  private long refundAt(ShareState s) {
    return s.getExpiresMillis() + settings.claimGrace().toMillis();
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ShareGrant> out) throws Exception {
    if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
      onEventTime(timestamp, ctx, out);
      return;
    }
    started(ctx.timerService().currentProcessingTime());
    Long until = waitUntil.value();
    if (until != null && timestamp >= until && until < startedAt && timestamp < startedAt + settings.requestWait().toMillis()) {
      // Restored with requests waiting: they get one full wait from the restart to meet what is behind them.
      long again = startedAt + settings.requestWait().toMillis();
      waitUntil.update(again);
      ctx.timerService().registerProcessingTimeTimer(again);
    } else if (until != null && timestamp >= until) {
      for (ShareRequest r : waiting.get()) { // waited in vain: the grant never opened, or the share never came
        ctx.output(RESULTS, Sharing.gaveUp(r));
        refused.inc();
      }
      waiting.clear();
      waitUntil.clear();
      waitingKeys.remove(ctx.getCurrentKey());
    }
    // A savepoint of the previous version holds the refund and retention as processing-time timers, which land
    // here: the share or grant gets its event-time timer instead (a no-op when it has it; nothing runs twice).
    ShareState s = share.value();
    GrantState g = grant.value();
    if (s != null) {
      ctx.timerService().registerEventTimeTimer(refundAt(s));
    } else if (g != null) {
      ctx.timerService().registerEventTimeTimer(g.getTimestamp() + settings.retention().toMillis());
    }
  }

  /** The refund, then the end of the retention: both when the requests read have passed them. */
  private void onEventTime(long timestamp, OnTimerContext ctx, Collector<ShareGrant> out) throws Exception {
    if (ctx.timerService().currentWatermark() == Long.MAX_VALUE) {
      return; // a bounded input ended: that says nothing about time, and no share expired by it
    }
    ShareState s = share.value();
    if (s == null) {
      GrantState g = grant.value();
      if (g != null && timestamp >= g.getTimestamp() + settings.retention().toMillis()) {
        grant.clear();
      }
      return;
    }
    if (timestamp >= refundAt(s) + settings.retention().toMillis()) {
      share.clear();
      grant.clear();
      return;
    }
    if (timestamp >= refundAt(s)) {
      Sharing.Step step = Sharing.expire(s);
      if (step.move() != null) {
        refunds.inc();
        centsRefunded.inc(step.move().getCents());
        emit(step, ctx, out);
      }
      ctx.timerService().registerEventTimeTimer(refundAt(s) + settings.retention().toMillis());
    }
  }

  private void emit(Sharing.Step step, Context ctx, Collector<ShareGrant> out) throws Exception {
    if (step.state() != null) {
      knownShares.add(ctx.getCurrentKey());
      share.update(step.state());
      ctx.output(STATES, step.state());
    }
    if (step.move() != null) {
      out.collect(step.move());
    }
    if (step.result() != null) {
      ctx.output(RESULTS, step.result());
    }
  }
}
