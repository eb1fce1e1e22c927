package io.redpacket.jobs.common;

import io.redpacket.codec.Topics;
import io.redpacket.kafka.Await;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.Records;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.kafka.TopicReader;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** What the exactly-once tests compare between a calm run and a failing one, and how they clean up. */
public final class RunComparison {
  private RunComparison() {}

  /** Committed records of a run's topic: id to the record's bytes (base64); a repeated id is kept apart. */
  public static Map<String, String> records(String bootstrap, String runPrefix, String topic, Function<byte[], String> id) {
    Map<String, String> out = new TreeMap<>();
    for (var r : TopicReader.readAll(bootstrap, Topics.named(runPrefix, topic), true)) {
      String k = id.apply(r.value());
      while (out.containsKey(k)) {
        k = k + "#again"; // a repeated request is answered again: keep each answer
      }
      out.put(k, Base64.getEncoder().encodeToString(r.value()));
    }
    return out;
  }

  /**
   * Waits, bounded, until {@code topic} holds {@code expected} committed records, and gives up at once, with
   * the job's own error, if one of {@code jobs} ended meanwhile (a job out of restarts would otherwise look like
   * a slow one until the timeout, and say nothing about why).
   */
  public static void awaitCommitted(String bootstrap, String topic, long expected, Duration timeout, JobClient... jobs) {
    TopicReader.awaitCommitted(bootstrap, topic, expected, timeout, () -> {
      for (JobClient job : jobs) {
        try {
          if (job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
            throw new Await.Abort("job " + job.getJobID() + " ended " + job.getJobStatus().get() + " waiting for "
                + expected + " records on " + topic + ": " + failure(job));
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // Await.until ends the wait on the flag
          throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
          throw new IllegalStateException("the status of job " + job.getJobID() + " did not come", e);
        }
      }
    });
  }

  private static String failure(JobClient job) {
    try {
      job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
      return "no error";
    } catch (Exception e) {
      Throwable t = e;
      StringBuilder causes = new StringBuilder();
      while (t != null) {
        causes.append(t).append(" <- ");
        t = t.getCause();
      }
      return causes.toString();
    }
  }

  /** Keys whose values differ or that only one side has (the first 20). */
  public static <V> List<String> differences(Map<String, V> actual, Map<String, V> expected) {
    TreeSet<String> keys = new TreeSet<>(actual.keySet());
    keys.addAll(expected.keySet());
    return keys.stream().filter(k -> !Objects.equals(actual.get(k), expected.get(k))).limit(20).toList();
  }

  /**
   * Creates a run's output topics under the prefix {@code <prefix><run>-}, those also in {@code compacted}
   * compacted, and returns that prefix: each run writes apart, so its records can be compared.
   */
  public static String runTopics(String bootstrap, String prefix, String run, List<String> topics,
      List<String> compacted) {
    String p = prefix + run + "-";
    TopicAdmin.ensure(bootstrap, topics.stream().map(t -> Topics.named(p, t)).toList(),
        compacted.stream().map(t -> Topics.named(p, t)).toList(), 4);
    return p;
  }

  /**
   * Moves the event time of an input read with {@link Topology#requestTime()} past {@code moment} (and the
   * watermark's 5 s out of order): the same record, stamped later, on every partition of {@code topic}, which
   * the sources' watermarks follow. So a test decides when expiries happen instead of the clock racing its
   * steps. {@code deadLetter} should be a record the job refuses, so that it answers nothing.
   */
  public static void moveEventTimePast(String bootstrap, String topic, long moment, byte[] deadLetter)
      throws Exception {
    long stamp = moment + Topology.REQUESTS_OUT_OF_ORDER.toMillis() + 2_000;
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(ProducerSettings.reliable(bootstrap))) {
      for (int partition = 0; partition < p.partitionsFor(topic).size(); partition++) {
        p.send(new ProducerRecord<>(topic, partition, stamp, Records.utf8("time"), deadLetter)).get();
      }
    }
  }

  /** Deletes a test's topics; best effort, as the broker is thrown away after the run. */
  public static void dropTopics(String bootstrap, String prefix) {
    try (var admin = TopicAdmin.admin(bootstrap)) {
      TopicAdmin.delete(bootstrap, admin.listTopics().names().get().stream().filter(n -> n.startsWith(prefix)).toList());
    } catch (Exception e) {
      // best effort
    }
  }
}
