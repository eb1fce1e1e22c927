package io.redpacket.ingest;

import io.redpacket.codec.Topics;
import io.redpacket.kafka.ProducerSettings;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends what the edge cannot answer to Kafka and waits for the job's answer: the producer, the
 * count of forwarded requests in flight, and the {@link LoadLevel} they and the event loop make.
 */
final class Forwarder implements AutoCloseable {
  private final Vertx vertx;
  private final IngestConfig config;
  private final IngestMetrics metrics;
  private final Replies replies;
  private final KafkaProducer<byte[], byte[]> producer;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger loops = new AtomicInteger();
  private final LoadLevel load;
  /** The client policy's level, held; only the first event loop's sampler touches it. */
  private final io.redpacket.core.ClientPolicy.Hold policyLevel =
      new io.redpacket.core.ClientPolicy.Hold(POLICY_HOLD_MILLIS);
  /** How long the load must stay lower before the client policy loosens a step. */
  static final long POLICY_HOLD_MILLIS = 2000;
  /** The least policy level an operator asked for (0: the load alone decides). */
  private volatile int policyFloor;
  private final Backends backends;
  private volatile boolean topicsKnown;
  private volatile boolean closed;

  Forwarder(Vertx vertx, IngestConfig config, IngestMetrics metrics, Replies replies, Backends backends) {
    this.vertx = vertx;
    this.backends = backends;
    this.config = config;
    this.metrics = metrics;
    this.replies = replies;
    Properties p = ProducerSettings.reliable(config.bootstrap());
    // Never hold an event loop: fail fast when Kafka is away, and say 503.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "200");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "4000");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
    this.producer = new KafkaProducer<>(p);
    metrics.watch(producer);
    this.load = new LoadLevel(config.maxInFlight());
    learnTopics(config);
  }

  /**
   * Fetches the metadata of every topic the ingest writes, on a thread of its own until it has it:
   * a send may block the event loop no longer than max.block.ms, too short for a first metadata
   * fetch from a busy broker, so the service is ready only once it knows its topics.
   */
  private void learnTopics(IngestConfig config) {
    List<String> topics = Stream.of(Topics.SHAKES, Topics.OPENS, Topics.SHARES, Topics.SHARE_CLAIMS)
        .map(t -> Topics.named(config.topicPrefix(), t)).toList();
    Thread t = new Thread(() -> {
      for (String topic : topics) {
        while (!closed) {
          try {
            producer.partitionsFor(topic);
            break;
          } catch (RuntimeException notYet) {
            LockSupport.parkNanos(100_000_000L);
          }
        }
      }
      topicsKnown = !closed;
    }, "ingest-topic-metadata");
    t.setDaemon(true);
    t.start();
  }

  /** Whether the producer knows every topic it writes, so that a send does not wait for metadata. */
  boolean ready() {
    return topicsKnown;
  }

  /** How many event loops will {@link #watchEventLoop} (before they start). */
  void eventLoops(int n) {
    load.eventLoops(n);
  }

  /**
   * Event-loop delay: a 50 ms timer that fires late means the loop is saturated. Each loop watches
   * itself; the first also fades the Kafka figure and publishes the gauges: they are sampled here,
   * every 50 ms, not written per request.
   */
  void watchEventLoop(Context context) {
    int loop = loops.getAndIncrement();
    long[] due = {System.nanoTime() + 50_000_000L};
    context.owner().setPeriodic(50, id -> {
      long now = System.nanoTime();
      load.loopDelay(loop, Math.max(0, now - due[0]) / 1e6);
      due[0] = now + 50_000_000L;
      if (loop == 0) {
        load.tick();
        load.backendSilent(backends.anySilent());
        backends.publish(metrics);
        publishGauges();
      }
    });
  }

  /**
   * The forwarded path of shakes, opens, shares and claims: sends the record, and waits up to the
   * outcome wait, counted from the send, for its answer. Exactly one of {@code answered},
   * {@code accepted} (the wait ran out after Kafka acknowledged: {@code 202}) or a {@code 503}
   * (Kafka did not take it) follows, on the request's own event loop. When {@code backend}, the job
   * that answers, is silent (recovering), there is no wait: {@code 202} as soon as Kafka has it, so
   * that clients get their poll URL at once and in-flight slots do not fill with requests that
   * cannot be answered yet. {@code answer} is
   * registered before the send, so an answer cannot slip by; {@code forget} drops it when no one
   * will wait any more.
   *
   * <p>No thread hop where none is needed: the wait is a timer on the request's own loop; a
   * successful acknowledgement from Kafka's thread only marks the request (and counts it); the
   * answer, which a board's reader thread completes, comes back with one {@code runOnContext}.
   */
  <A> void forwardAndAwait(RoutingContext ctx, String route, String what, BackendSignal backend,
      ProducerRecord<byte[], byte[]> record, CompletableFuture<A> answer, Runnable forget, Runnable acked,
      Consumer<A> answered, Runnable accepted) {
    Context context = vertx.getOrCreateContext();
    inFlight.incrementAndGet();
    Waiting<A> w = new Waiting<>(context, ctx, route, what, forget, answered, accepted);
    if (backend.silent()) {
      w.noWait();
    }
    w.timer = context.owner().setTimer(config.outcomeWait().toMillis(), id -> w.timedOut());
    long sentAt = System.nanoTime();
    try {
      producer.send(record, (meta, e) -> { // on the producer's I/O thread
        load.ackLatency((System.nanoTime() - sentAt) / 1e6);
        if (e != null) {
          context.runOnContext(v -> w.failed());
        } else {
          acked.run();
          backend.sent(); // in the job's hands now: a Kafka outage is not the job's silence
          w.acked();
        }
      });
    } catch (RuntimeException e) { // metadata unavailable within max.block.ms, buffer full, closed
      w.failed();
      return;
    }
    if (answer.isDone()) {
      w.answered(answer.join());
    } else {
      answer.thenAccept(a -> context.runOnContext(v -> w.answered(a)));
    }
  }

  /** One forwarded request: what has happened to it. {@code done} is only touched on its event loop. */
  private final class Waiting<A> {
    private static final int ACKED = 1;
    private static final int TIMED_OUT = 2;
    private final Context context;
    private final RoutingContext ctx;
    private final String route;
    private final String what;
    private final Runnable forget;
    private final Consumer<A> answered;
    private final Runnable accepted;
    /** ACKED (Kafka's thread) and TIMED_OUT (the loop): whichever comes second answers 202. */
    private final AtomicInteger state = new AtomicInteger();
    private boolean done;
    long timer;

    Waiting(Context context, RoutingContext ctx, String route, String what, Runnable forget, Consumer<A> answered,
        Runnable accepted) {
      this.context = context;
      this.ctx = ctx;
      this.route = route;
      this.what = what;
      this.forget = forget;
      this.answered = answered;
      this.accepted = accepted;
    }

    /** Before the send: answer 202 on Kafka's acknowledgement, as if the wait had already run out. */
    void noWait() {
      state.set(TIMED_OUT);
    }

    /** On the loop: the job's answer. */
    void answered(A a) {
      if (finish()) {
        answered.accept(a);
      }
    }

    /** On the loop: the wait ran out; 202 now if Kafka has acknowledged, else when it does. */
    void timedOut() {
      if ((state.getAndUpdate(s -> s | TIMED_OUT) & ACKED) != 0) {
        acceptedNow();
      }
    }

    /** On Kafka's thread: the record is written. Nothing to do on the loop unless the wait already ran out. */
    void acked() {
      if ((state.getAndUpdate(s -> s | ACKED) & TIMED_OUT) != 0) {
        context.runOnContext(v -> acceptedNow());
      }
    }

    private void acceptedNow() {
      if (finish()) {
        forget.run();
        accepted.run();
      }
    }

    /** On the loop: Kafka did not take it. */
    void failed() {
      if (finish()) {
        forget.run();
        unavailable(ctx, route, "the " + what + " was not accepted");
      }
    }

    private boolean finish() {
      if (done) {
        return false;
      }
      done = true;
      context.owner().cancelTimer(timer);
      inFlight.decrementAndGet();
      return true;
    }
  }

  /** At {@code --max-in-flight} forwarded requests: {@code 429} rather than a queue without end. */
  boolean atCapacity(RoutingContext ctx, String route) {
    if (inFlight.get() < config.maxInFlight()) {
      return false;
    }
    replies.shed(ctx, route, "overload", 429, 1, "overloaded", "the service is at capacity; retry after 1 s");
    return true;
  }

  /** {@code 503}: Kafka did not take what the request carried, so nothing was accepted. */
  void unavailable(RoutingContext ctx, String route, String notAccepted) {
    replies.shed(ctx, route, "kafka_unavailable", 503, 2, "backend_unavailable",
        notAccepted + " (Kafka unavailable); retry after 2 s");
  }

  /** The client policy is at least this level from the next sample on, whatever the load. */
  void policyFloor(int level) {
    policyFloor = level;
  }

  /** The current {@link LoadLevel}. */
  int loadLevel() {
    return load.level(inFlight.get());
  }

  /** The level that sheds opens and shares: the backend's signals only ({@link LoadLevel#backendLevel}). */
  int shedLevel() {
    return load.backendLevel(inFlight.get());
  }

  /** What the load level is made of now: the level, and each signal it goes by. */
  io.vertx.core.json.JsonObject loadSignals() {
    int n = inFlight.get();
    return new io.vertx.core.json.JsonObject().put("level", load.level(n)).put("shedLevel", load.backendLevel(n))
        .put("setBy", load.setBy(n)).put("inFlight", n).put("maxInFlight", config.maxInFlight())
        .put("kafkaAckMs", load.ackMillis())
        .put("eventLoopDelayMs", load.loopDelayMillis()).put("backendSilent", backends.anySilent());
  }

  /** The load figures as gauges, sampled every 50 ms by the first event loop. */
  private void publishGauges() {
    int n = inFlight.get();
    int level = load.level(n);
    metrics.loadLevel.set(level);
    long now = System.currentTimeMillis();
    // The floor goes through the hold too: released, the policy loosens step by step as after a load.
    int policy = policyLevel.next(Math.max(policyFloor, level), now);
    if (policy != replies.policy().level()) {
      replies.policy(io.redpacket.core.ClientPolicy.at(policy, now));
      metrics.policyLevel.set(policy);
    }
    metrics.kafkaAck.set(load.ackMillis() / 1000);
    metrics.loopDelay.set(load.loopDelayMillis() / 1000);
    metrics.inFlight.set(n);
  }

  @Override
  public void close() {
    closed = true;
    producer.close(Duration.ofSeconds(5));
  }
}
