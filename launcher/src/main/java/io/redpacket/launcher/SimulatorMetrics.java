package io.redpacket.launcher;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.redpacket.simulator.HttpOpens;
import io.redpacket.simulator.HttpShares;
import io.redpacket.simulator.HttpWave;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the demo's simulated clients offered and saw, for Prometheus (served by the live page at
 * {@code /metrics}): read from the clients' own counters when scraped, so the figures are the
 * ones the demo prints at the end.
 */
final class SimulatorMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  /** The HTTP wave's counters, once it runs (the direct mode has none). */
  final AtomicReference<HttpWave.Result> wave = new AtomicReference<>();

  SimulatorMetrics(AtomicLong offered, HttpOpens opens, HttpShares shares) {
    CounterWithCallback.builder().name("redpacket_simulator_shakes_offered_total")
        .help("shakes the simulator sent (over HTTP, or to Kafka with --direct)")
        .callback(cb -> cb.call(offered.get())).register(registry);
    CounterWithCallback.builder().name("redpacket_simulator_shakes_answered_by_client_total")
        .help("shakes the simulated clients answered themselves, never sent, as the ingest's client policy says:"
            + " sampled, or too soon after the user's last").labelNames("why").callback(cb -> {
          HttpWave.Result r = wave.get();
          if (r != null) {
            cb.call(r.sampledByClient.get(), "sampled");
            cb.call(r.tooSoonByClient.get(), "too_soon");
          }
        }).register(registry);
    CounterWithCallback.builder().name("redpacket_simulator_shake_answers_total")
        .help("answers the simulated clients saw to their shakes: from the edge, from the backend, or 202 then polled")
        .labelNames("by").callback(cb -> {
          HttpWave.Result r = wave.get();
          if (r != null) {
            cb.call(r.answeredAtEdge.get(), "edge");
            cb.call(r.answeredByBackend.get(), "backend");
            cb.call(r.polled.get(), "polled");
          }
        }).register(registry);
    CounterWithCallback.builder().name("redpacket_simulator_requests_sent_total")
        .help("requests the simulated clients sent, by kind").labelNames("request").callback(cb -> {
          cb.call(opens.result().sent.get(), "open");
          cb.call(shares.result().sent.get(), "share_or_claim");
        }).register(registry);
    CounterWithCallback.builder().name("redpacket_simulator_retries_total")
        .help("requests retried after 429 or 503 (Retry-After honoured, with jitter), by kind").labelNames("request")
        .callback(cb -> {
          HttpWave.Result r = wave.get();
          if (r != null) {
            cb.call(r.retriedAfter429.get() + r.retriedAfter503.get(), "shake");
          }
          cb.call(opens.result().retried.get(), "open");
          cb.call(shares.result().shed.get(), "share_or_claim");
        }).register(registry);
    CounterWithCallback.builder().name("redpacket_simulator_failures_total")
        .help("requests the clients timed out on or gave up after retries, by kind").labelNames("request", "how")
        .callback(cb -> {
          HttpWave.Result r = wave.get();
          if (r != null) {
            cb.call(r.timedOut.get(), "shake", "timed_out");
            cb.call(r.gaveUp.get(), "shake", "gave_up");
          }
          cb.call(opens.result().timedOut.get(), "open", "timed_out");
          cb.call(opens.result().gaveUp.get(), "open", "gave_up");
          cb.call(shares.result().timedOut.get(), "share_or_claim", "timed_out");
          cb.call(shares.result().gaveUp.get(), "share_or_claim", "gave_up");
        }).register(registry);
    CounterWithCallback.builder().name("redpacket_simulator_claims_answered_total")
        .help("claims the friends got an answer to").callback(cb -> cb.call(shares.result().claimsAnswered.get()))
        .register(registry);
  }

  /** The Prometheus text format; the library's own rendering to a string (no copy of the ingest's stream code). */
  String scrape() {
    return new PrometheusTextFormatWriter(false).toDebugString(registry.scrape());
  }
}
