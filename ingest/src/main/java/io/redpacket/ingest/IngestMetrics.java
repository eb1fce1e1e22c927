package io.redpacket.ingest;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The ingest's Prometheus metrics; label sets are bounded (routes and reasons are fixed words). */
final class IngestMetrics {
  final PrometheusRegistry registry = new PrometheusRegistry();
  final Counter requests = Counter.builder().name("redpacket_ingest_requests_total")
      .help("HTTP requests by route and status").labelNames("route", "status").register(registry);
  final Counter answers = Counter.builder().name("redpacket_ingest_answers_total")
      .help("requests (shakes, opens, shares, claims) by how they were answered: local (by reason), forwarded, shed").labelNames("path", "reason")
      .register(registry);
  final Gauge loadLevel = Gauge.builder().name("redpacket_ingest_load_level")
      .help("0 normal; 1 sharing shed; 2 opening shed; 3 shakes sampled harder").register(registry);
  final Gauge policyLevel = Gauge.builder().name("redpacket_ingest_client_policy_level")
      .help("the client policy in force (X-Client-Policy): the load level, held 2 s before each step down").register(registry);
  final Gauge inFlight = Gauge.builder().name("redpacket_ingest_forwarded_in_flight")
      .help("forwarded shakes awaiting Kafka or their outcome").register(registry);
  final Gauge backendSilent = Gauge.builder().name("redpacket_ingest_backend_silent_seconds")
      .help("how long a job (allocation, settlement, sharing) has left forwarded requests unanswered with no answer"
          + " at all read since, once over 2 s (recovering); 0 while it answers").labelNames("job").register(registry);
  final Gauge kafkaAck = Gauge.builder().name("redpacket_ingest_kafka_ack_seconds")
      .help("smoothed time for Kafka to acknowledge a forwarded shake").register(registry);
  final Gauge loopDelay = Gauge.builder().name("redpacket_ingest_event_loop_delay_seconds")
      .help("smoothed lateness of a 50 ms event-loop timer").register(registry);
  final Counter connections = Counter.builder().name("redpacket_ingest_connections_total")
      .help("HTTP connections accepted, by the event loop that serves them").labelNames("event_loop").register(registry);
  final Counter connectionsClosed = Counter.builder().name("redpacket_ingest_connections_closed_total")
      .help("connections the ingest closed: over_cap (more than --max-connections open), header_deadline (a"
          + " request's headers not sent in time)").labelNames("reason").register(registry);
  final Histogram latency = Histogram.builder().name("redpacket_ingest_answer_seconds")
      .help("time to answer a request, by route (shakes, open, share, claim) and path: edge, backend (the job's"
          + " answer), known (a retry answered from memory), accepted (202: the answer took longer than the wait)")
      .labelNames("route", "path")
      .classicUpperBounds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5).register(registry);

  /** The polls of a grant held now (GET with ?wait=), read when scraped. */
  void pollsHeld(java.util.function.IntSupplier held) {
    io.prometheus.metrics.core.metrics.GaugeWithCallback.builder().name("redpacket_ingest_grant_polls_held")
        .help("polls of a grant (GET with ?wait=) held until it is credited or expires")
        .callback(cb -> cb.call(held.getAsInt())).register(registry);
  }

  /** The Kafka producer's own figures, read when scraped. */
  void watch(org.apache.kafka.clients.producer.Producer<?, ?> producer) {
    producerGauge(producer, "redpacket_ingest_kafka_producer_records_per_second", "record-send-rate", 1,
        "records the producer sends per second (Kafka's moving rate)");
    producerGauge(producer, "redpacket_ingest_kafka_producer_errors_per_second", "record-error-rate", 1,
        "records per second that Kafka did not accept");
    producerGauge(producer, "redpacket_ingest_kafka_producer_request_latency_seconds", "request-latency-avg", 0.001,
        "average time of a produce request");
    producerGauge(producer, "redpacket_ingest_kafka_producer_buffer_available_bytes", "buffer-available-bytes", 1,
        "free bytes in the producer's buffer (0: sends block, then fail as 503)");
  }

  private void producerGauge(org.apache.kafka.clients.producer.Producer<?, ?> producer, String name, String kafkaName,
      double scale, String help) {
    io.prometheus.metrics.core.metrics.GaugeWithCallback.builder().name(name).help(help).callback(cb -> {
      for (var e : producer.metrics().entrySet()) {
        if (e.getKey().name().equals(kafkaName) && e.getKey().group().equals("producer-metrics")
            && e.getValue().metricValue() instanceof Double d && !d.isNaN()) {
          cb.call(d * scale);
          return;
        }
      }
    }).register(registry);
  }

  String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }
}
