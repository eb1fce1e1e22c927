package io.redpacket.ingest;

import io.redpacket.codec.Topics;
import io.redpacket.kafka.ProducerSettings;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
  private final LoadLevel load;
  private volatile boolean topicsKnown;
  private volatile boolean closed;

  Forwarder(Vertx vertx, IngestConfig config, IngestMetrics metrics, Replies replies) {
    this.vertx = vertx;
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

  /** Event-loop delay: a 50 ms timer that fires late means the loop is saturated. */
  void watchEventLoop() {
    long[] due = {System.nanoTime() + 50_000_000L};
    vertx.setPeriodic(50, id -> {
      long now = System.nanoTime();
      load.loopDelay(Math.max(0, now - due[0]) / 1e6);
      load.tick();
      due[0] = now + 50_000_000L;
      loadLevel();
    });
  }

  /**
   * The forwarded path of shakes, opens, shares and claims: sends the record, and once Kafka
   * acknowledged it waits up to the outcome wait for its answer. Exactly one of {@code answered},
   * {@code accepted} (the wait ran out: {@code 202}) or a {@code 503} (Kafka did not take it)
   * follows, on the request's own event loop whichever thread Kafka calls back on. {@code answer}
   * is registered before the send, so an answer cannot slip by; {@code forget} drops it when no
   * one will wait any more.
   */
  <A> void forwardAndAwait(RoutingContext ctx, String route, String what, ProducerRecord<byte[], byte[]> record,
      CompletableFuture<A> answer, Runnable forget, Runnable acked, Consumer<A> answered, Runnable accepted) {
    Context context = vertx.getOrCreateContext();
    inFlight.incrementAndGet();
    long sentAt = System.nanoTime();
    try {
      producer.send(record, (meta, e) -> context.runOnContext(v -> {
        load.ackLatency((System.nanoTime() - sentAt) / 1e6);
        if (e != null) {
          inFlight.decrementAndGet();
          forget.run();
          unavailable(ctx, route, "the " + what + " was not accepted");
          return;
        }
        acked.run();
        Future.fromCompletionStage(answer.orTimeout(config.outcomeWait().toMillis(), TimeUnit.MILLISECONDS), context)
            .onComplete(r -> {
              inFlight.decrementAndGet();
              if (r.succeeded()) {
                answered.accept(r.result());
              } else {
                forget.run();
                accepted.run();
              }
            });
      }));
    } catch (RuntimeException e) { // metadata unavailable within max.block.ms, buffer full, closed
      inFlight.decrementAndGet();
      forget.run();
      unavailable(ctx, route, "the " + what + " was not accepted");
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

  /** The current {@link LoadLevel}, also published as a metric. */
  int loadLevel() {
    int level = load.level(inFlight.get());
    metrics.loadLevel.set(level);
    metrics.kafkaAck.set(load.ackMillis() / 1000);
    metrics.loopDelay.set(load.loopDelayMillis() / 1000);
    metrics.inFlight.set(inFlight.get());
    return level;
  }

  @Override
  public void close() {
    closed = true;
    producer.close(Duration.ofSeconds(5));
  }
}
