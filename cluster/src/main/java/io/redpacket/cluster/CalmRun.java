package io.redpacket.cluster;

import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.jobs.allocation.AllocationJob;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.kafka.TopicReader;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The reference a disturbed run is held to: the same input (the wave's pools and shakes, copied
 * record for record into partitions of the same number, with their keys and time stamps) allocated
 * again by a fresh allocation job on the cluster that nothing disturbs. Its grants must equal the
 * disturbed run's, byte for byte.
 */
public final class CalmRun {
  private CalmRun() {}

  public record Result(int grants, int calmGrants, List<String> differences) {
    public boolean equal() {
      return differences.isEmpty();
    }
  }

  public static Result compare(Cluster cluster, String runPrefix, int parallelism, PrintStream out) throws Exception {
    String calm = "calm-" + System.currentTimeMillis() / 1000 + ".";
    String bootstrap = cluster.bootstrap();
    TopicAdmin.ensure(bootstrap, Topics.ALL.stream().map(t -> Topics.named(calm, t)).toList(),
        Topics.COMPACTED.stream().map(t -> Topics.named(calm, t)).toList(), cluster.settings.partitions());
    long copied = 0;
    for (String topic : List.of(Topics.POOLS, Topics.SHAKES)) {
      copied += copy(bootstrap, Topics.named(runPrefix, topic), Topics.named(calm, topic));
    }
    out.printf("calm run: copied the wave's %,d input records to %s*; allocating them again on the cluster,"
        + " undisturbed ...%n", copied, calm);
    FlinkRest rest = cluster.rest();
    String jar = rest.uploadJar(PipelineJobs.defaultJar());
    long t0 = System.nanoTime();
    String id;
    try {
      id = rest.run(jar, AllocationJob.class.getName(), List.of("--bootstrap", bootstrap, "--topic-prefix", calm,
          "--bounded"), parallelism, null);
    } finally {
      FlinkRest.deleteQuietly(rest, jar, out);
    }
    io.redpacket.kafka.Await.until("the calm allocation run to finish", Duration.ofMinutes(5), () -> {
      var job = rest.jobs().stream().filter(j -> j.id().equals(id)).findFirst().orElseThrow();
      if (job.terminal() && !job.state().equals("FINISHED")) {
        throw new io.redpacket.kafka.Await.Abort("the calm allocation run ended " + job.state() + "; see " + cluster.restUrl()
            + "/#/job/completed/" + id + "/exceptions");
      }
      return job.state().equals("FINISHED");
    });
    out.printf("  calm run finished in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    Map<String, String> run = grants(bootstrap, runPrefix);
    Map<String, String> reference = grants(bootstrap, calm);
    TreeSet<String> ids = new TreeSet<>(run.keySet());
    ids.addAll(reference.keySet());
    List<String> diff = ids.stream().filter(k -> !Objects.equals(run.get(k), reference.get(k))).limit(20).toList();
    if (diff.isEmpty()) {
      ClusterDemo.deleteTopics(bootstrap, calm, out);
    } else {
      out.printf("  the calm run's topics %s* are kept to compare; cluster down deletes them%n", calm);
    }
    return new Result(run.size(), reference.size(), diff);
  }

  /** Committed grants of a run: grant id to its bytes; a grant written twice would show as a second key. */
  private static Map<String, String> grants(String bootstrap, String prefix) {
    Map<String, String> out = new TreeMap<>();
    for (var r : TopicReader.readAll(bootstrap, Topics.named(prefix, Topics.GRANTS), true)) {
      String k = Codecs.GRANT.decode(r.value()).getGrantId();
      while (out.containsKey(k)) {
        k = k + "#again";
      }
      out.put(k, java.util.HexFormat.of().formatHex(r.value()));
    }
    return out;
  }

  private static long copy(String bootstrap, String from, String to) throws Exception {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (var r : TopicReader.readAll(bootstrap, from, true)) {
      records.add(new ProducerRecord<>(to, r.partition(), r.timestamp(), r.key(), r.value()));
    }
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ProducerSettings.reliable(bootstrap))) {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (var r : records) {
        sent.add(producer.send(r));
      }
      producer.flush();
      for (var f : sent) {
        f.get(); // a record that could not be copied fails the comparison here, not silently
      }
    }
    return records.size();
  }
}
