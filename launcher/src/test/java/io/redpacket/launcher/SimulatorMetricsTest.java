package io.redpacket.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.simulator.HttpOpens;
import io.redpacket.simulator.HttpShares;
import io.redpacket.simulator.HttpWave;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The simulated clients' figures in Prometheus' text format, with conventional names. */
class SimulatorMetricsTest {
  @Test
  void whatTheClientsOfferedAndSawIsScrapedFromTheirOwnCounters() {
    HttpOpens opens = new HttpOpens("http://127.0.0.1:1", "secret-0123456789abcdef", 1, Duration.ofSeconds(1));
    HttpShares shares = new HttpShares("http://127.0.0.1:1", "secret-0123456789abcdef", 1, Duration.ofSeconds(1));
    try {
      AtomicLong offered = new AtomicLong(42);
      SimulatorMetrics m = new SimulatorMetrics(offered, opens, shares);
      assertThat(m.scrape()).contains("redpacket_simulator_shakes_offered_total 42.0")
          .doesNotContain("redpacket_simulator_shake_answers_total{"); // no HTTP wave yet (--direct)
      HttpWave.Result wave = new HttpWave.Result();
      wave.answeredAtEdge.set(30);
      wave.answeredByBackend.set(12);
      wave.retriedAfter429.set(5);
      wave.sampledByClient.set(7);
      m.wave.set(wave);
      offered.set(50);
      assertThat(m.scrape()).contains("redpacket_simulator_shakes_offered_total 50.0",
          "redpacket_simulator_shake_answers_total{by=\"edge\"} 30.0",
          "redpacket_simulator_shake_answers_total{by=\"backend\"} 12.0",
          "redpacket_simulator_retries_total{request=\"shake\"} 5.0",
          "redpacket_simulator_shakes_answered_by_client_total{why=\"sampled\"} 7.0",
          "redpacket_simulator_failures_total{how=\"gave_up\",request=\"open\"} 0.0",
          "redpacket_simulator_claims_answered_total 0.0");
    } finally {
      opens.close();
      shares.close();
    }
  }
}
