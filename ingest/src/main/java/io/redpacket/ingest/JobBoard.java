package io.redpacket.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * What a job has decided, read on a thread of its own: an optional compacted topic of states read
 * from the start (the latest state by id, bounded in memory; ready once what was there at start is
 * read), and a topic of answers read from the end (only answers this instance may still wait for),
 * kept by key for waiting requests, polls and client retries.
 *
 * @param <S> a state
 * @param <A> an answer
 */
class JobBoard<S, A> implements AutoCloseable {
  /** A topic the board reads: how its records decode and what each is kept by. */
  record Feed<T>(String topic, Function<byte[], T> decode, Function<T, String> key) {}

  private final Feed<S> stateFeed;
  private final Feed<A> answerFeed;
  private final String statesTopic;
  private final String answersTopic;
  private final Cache<String, S> states;
  private final Answers<A> answers;
  private final TopicLoop loop;
  private boolean first = true; // only the reader thread touches it
  /** Where each partition is to be read next: a new session after a lost one goes on from there. Reader thread only. */
  private final Map<TopicPartition, Long> next = new java.util.HashMap<>();
  private volatile boolean caughtUp;
  /** One-shot callbacks for the next state read of an id (long polls); run on the reader thread. */
  private final Map<String, List<Runnable>> stateWatchers = new java.util.concurrent.ConcurrentHashMap<>();
  /** Whether the job answers: every answer read tells it does. */
  private final BackendSignal signal = new BackendSignal(System::currentTimeMillis);

  /**
   * {@code states} null: answers only; {@code readCommitted} false only where a replay writes the same answers.
   * The states and recent answers are kept within the budget's shares for {@code stateUse} and {@code answerUse}.
   */
  JobBoard(String bootstrap, boolean readCommitted, Feed<S> states, Feed<A> answers, CacheBudget budget,
      CacheBudget.Use stateUse, CacheBudget.Use answerUse, String name) {
    this.stateFeed = states;
    this.answerFeed = answers;
    this.statesTopic = states == null ? null : states.topic();
    this.answersTopic = answers.topic();
    this.states = states == null ? null
        : budget.cache(stateUse, s -> CacheBudget.record((IndexedRecord) s), null, false);
    this.answers = new Answers<>(
        budget.cache(answerUse, a -> CacheBudget.record((IndexedRecord) a), Duration.ofMinutes(30), false));
    this.loop = TopicLoop.start(bootstrap, readCommitted, name, this::read);
  }

  private void read(KafkaConsumer<byte[], byte[]> consumer, BooleanSupplier running) {
    List<TopicPartition> stateParts = statesTopic == null ? List.of() : TopicLoop.partitions(consumer, statesTopic);
    List<TopicPartition> answerParts = TopicLoop.partitions(consumer, answersTopic);
    List<TopicPartition> all = new ArrayList<>(stateParts);
    all.addAll(answerParts);
    consumer.assign(all);
    if (first) {
      if (!stateParts.isEmpty()) { // an empty list would mean every assigned partition
        consumer.seekToBeginning(stateParts);
      }
      consumer.seekToEnd(answerParts);
      all.forEach(tp -> next.put(tp, consumer.position(tp)));
      first = false;
    } else {
      // Go on where the lost session was; a partition it did not have (one added since) from its start.
      List<TopicPartition> added = new ArrayList<>();
      for (TopicPartition tp : all) {
        Long at = next.get(tp);
        if (at != null) {
          consumer.seek(tp, at);
        } else {
          added.add(tp);
        }
      }
      if (!added.isEmpty()) {
        consumer.seekToBeginning(added);
      }
    }
    Map<TopicPartition, Long> ends = consumer.endOffsets(stateParts);
    while (running.getAsBoolean()) {
      if (!caughtUp && ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
        caughtUp = true;
      }
      TopicLoop.each(consumer.poll(Duration.ofMillis(100)), this::onRecord);
    }
  }

  private void onRecord(ConsumerRecord<byte[], byte[]> r) {
    next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
    if (r.topic().equals(statesTopic)) {
      S s = stateFeed.decode().apply(r.value());
      String id = stateFeed.key().apply(s);
      states.put(id, s);
      List<Runnable> watching = stateWatchers.remove(id);
      if (watching != null) {
        watching.forEach(Runnable::run);
      }
    } else {
      publish(answerFeed.decode().apply(r.value()));
    }
  }

  void publish(A answer) {
    answers.publish(answerFeed.key().apply(answer), answer);
    signal.answered();
  }

  /** Whether the job that writes these answers is answering the requests forwarded to it. */
  BackendSignal signal() {
    return signal;
  }

  /** Registers interest before the request is sent, so its answer cannot slip by. */
  CompletableFuture<A> await(String key) {
    return answers.await(key);
  }

  void forget(String key) {
    answers.forget(key);
  }

  A known(String key) {
    return answers.known(key);
  }

  S state(String id) {
    return states == null ? null : states.getIfPresent(id);
  }

  /**
   * Runs {@code watcher} once, on the reader's thread, when the next state of {@code id} has been read (it must hand
   * any real work to its own thread). Registered before the caller looks at the state again, so a change cannot slip
   * by; {@link #unwatch} drops it when nobody waits any more.
   */
  void watch(String id, Runnable watcher) {
    stateWatchers.compute(id, (k, list) -> {
      List<Runnable> l = list == null ? new java.util.concurrent.CopyOnWriteArrayList<>() : list;
      l.add(watcher);
      return l;
    });
  }

  void unwatch(String id, Runnable watcher) {
    stateWatchers.computeIfPresent(id, (k, list) -> {
      list.remove(watcher);
      return list.isEmpty() ? null : list;
    });
  }

  /** Whether the states present at start have been read (with no states topic: once the answers are assigned). */
  boolean ready() {
    return caughtUp;
  }

  /** For tests: ends the reader's session as a lost connection would. */
  void reconnect() {
    loop.reconnect();
  }

  @Override
  public void close() {
    loop.close();
  }
}
