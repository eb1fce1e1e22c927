package io.redpacket.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.Grant;
import io.redpacket.avro.OutcomeCode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Flink's Prometheus reporter and the ingest's {@code /metrics} carry the business metrics with the
 * values of a settled wave.
 */
@Order(2)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ObservabilityMetricsTest {
  static final String OP = "flink_taskmanager_job_task_operator_redpacket_";

  @AfterAll
  static void done() {
    ObservedWave.done(ObservabilityMetricsTest.class);
  }

  @Test
  void businessMetricsCarryTheRunsValues() throws Exception {
    ObservedWave w = ObservedWave.settled();
    long granted = w.grants.stream().mapToLong(Grant::getCents).sum();
    assertThat(w.sum(OP + "grants_total")).isEqualTo(w.grants.size());
    assertThat(w.sum(OP + "granted_cents_total")).isEqualTo(granted);
    // A retried winning shake is answered WON again (the same grant): at least one WON per grant.
    assertThat(w.sum(OP + "outcome_shakes_total", "outcome=\"WON\"")).isGreaterThanOrEqualTo(w.grants.size());
    // As many as the committed outcomes say (how many forwarded shakes find their set exhausted depends on timing).
    assertThat(w.sum(OP + "outcome_shakes_total", "outcome=\"POOL_EXHAUSTED\""))
        .isEqualTo(w.outcomes(OutcomeCode.POOL_EXHAUSTED));
    assertThat(w.sum(OP + "pool_granted_cents_total", "pool=\"live\"")).isEqualTo(granted);
    assertThat(w.scraped().get(OP + "pool_budget_cents")).extracting(s -> Double.parseDouble(s[1])).contains(500_000.0);
    assertThat(w.sum(OP + "grants_reserved_total")).isEqualTo(w.grants.size());
    assertThat(w.sum(OP + "grants_credited_total")).isEqualTo(w.opened);
    assertThat(w.sum(OP + "credited_cents_total")).isEqualTo(w.audit.pools().get("live").creditedCents);
    assertThat(w.sum(OP + "wallet_credits_total")).isEqualTo(w.opened);
    assertThat(w.scraped()).containsKeys(OP + "open_to_credit_milliseconds", OP + "dead_letters_total",
        OP + "shares_total", OP + "pieces_claimed_total");
    assertThat(w.sum("redpacket_ingest_requests_total", "route=\"shakes\"", "status=\"200\"")).isPositive();
    assertThat(w.sum("redpacket_ingest_answers_total", "path=\"local\"")).as("answered at the edge").isPositive();
    assertThat(w.sum("redpacket_ingest_answers_total", "path=\"forwarded\"")).as("forwarded").isPositive();
    // Every shake the users sent was answered and timed (the client policy answers some on the phone, unsent).
    assertThat(w.shakesMade).isEqualTo(6_000);
    assertThat(w.shakesSent).isPositive().isLessThanOrEqualTo(6_000);
    assertThat(w.sum("redpacket_ingest_answer_seconds_count", "route=\"shakes\"")).isGreaterThanOrEqualTo(w.shakesSent);
    assertThat(w.scraped()).containsKeys("redpacket_ingest_load_level", "redpacket_ingest_kafka_producer_records_per_second");
  }
}
