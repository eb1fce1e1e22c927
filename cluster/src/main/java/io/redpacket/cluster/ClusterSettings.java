package io.redpacket.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** What `cluster up` was asked for, kept in {@code cluster.properties} so later commands see the same cluster. */
public record ClusterSettings(int kafkaBasePort, int restPort, int taskManagers, int slots, int partitions) {
public ClusterSettings {
    Checks.range("--kafka-port", kafkaBasePort, 1024, 65000);
    Checks.range("--rest-port", restPort, 1024, 65535);
    Checks.range("--taskmanagers", taskManagers, 1, 8);
    Checks.range("--slots", slots, 1, 64);
    Checks.range("--partitions", partitions, 1, 256);
  }

  public int brokerPort(int node) {
    return kafkaBasePort + node - 1;
  }

  public int controllerPort(int node) {
    return kafkaBasePort + 100 + node - 1;
  }

  public String bootstrap() {
    List<String> b = new ArrayList<>();
    for (int n = 1; n <= Cluster.BROKERS; n++) {
      b.add("127.0.0.1:" + brokerPort(n));
    }
    return String.join(",", b);
  }

  /** As the flags of cluster up. */
  public String flags() {
    return "--kafka-port " + kafkaBasePort + " --rest-port " + restPort + " --taskmanagers " + taskManagers + " --slots "
        + slots + " --partitions " + partitions;
  }

  Properties toProperties() {
    Properties p = new Properties();
    p.put("kafka.base-port", String.valueOf(kafkaBasePort));
    p.put("rest.port", String.valueOf(restPort));
    p.put("taskmanagers", String.valueOf(taskManagers));
    p.put("slots", String.valueOf(slots));
    p.put("partitions", String.valueOf(partitions));
    return p;
  }

static ClusterSettings from(Properties p) {
    return new ClusterSettings(Integer.parseInt(p.getProperty("kafka.base-port")), Integer.parseInt(p.getProperty("rest.port")),
        Integer.parseInt(p.getProperty("taskmanagers")), Integer.parseInt(p.getProperty("slots")),
        Integer.parseInt(p.getProperty("partitions")));
  }
}
