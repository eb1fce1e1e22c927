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
  final Gauge inFlight = Gauge.builder().name("redpacket_ingest_forwarded_in_flight")
      .help("forwarded shakes awaiting Kafka or their outcome").register(registry);
  final Gauge kafkaAck = Gauge.builder().name("redpacket_ingest_kafka_ack_seconds")
      .help("smoothed time for Kafka to acknowledge a forwarded shake").register(registry);
  final Gauge loopDelay = Gauge.builder().name("redpacket_ingest_event_loop_delay_seconds")
      .help("smoothed lateness of a 50 ms event-loop timer").register(registry);
  final Histogram latency = Histogram.builder().name("redpacket_ingest_shake_latency_seconds")
      .help("time to answer POST /v1/shakes, by path").labelNames("path")
      .classicUpperBounds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5).register(registry);

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
