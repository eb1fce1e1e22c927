package io.redpacket.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BackendSignalTest {
  final AtomicLong now = new AtomicLong(1_000_000);
  final BackendSignal signal = new BackendSignal(now::get);

  @Test
  void aJobNobodySendsToIsNotJudged() {
    now.addAndGet(60_000);
    assertThat(signal.silent()).isFalse();
    assertThat(signal.silentMillis()).isZero();
  }

  @Test
  void requestsUnansweredForOver2sWithNoAnswerAtAllMakeItSilentUntilAnAnswerComes() {
    signal.sent();
    now.addAndGet(1_500);
    signal.sent(); // a later request does not move the mark
    now.addAndGet(500);
    assertThat(signal.silent()).as("2 s: a slow checkpoint, not yet a recovery").isFalse();
    now.addAndGet(1);
    assertThat(signal.silent()).isTrue();
    now.addAndGet(5_000);
    assertThat(signal.silentMillis()).as("counted from the first request left waiting").isEqualTo(7_001);
    signal.answered();
    assertThat(signal.silent()).as("any answer: the job answers again").isFalse();
    now.addAndGet(10_000);
    assertThat(signal.silent()).as("nothing waits").isFalse();
  }

  @Test
  void aJobThatKeepsAnsweringIsNeverSilentHoweverLongItsTrafficLasts() {
    for (int i = 0; i < 100; i++) {
      signal.sent();
      now.addAndGet(1_000);
      signal.answered(); // answers come, each within the window, if not to this very request
      assertThat(signal.silent()).isFalse();
    }
  }

  @Test
  void afterAnAnswerTheNextRequestStartsTheClockAfresh() {
    signal.sent();
    now.addAndGet(1_900);
    signal.answered();
    now.addAndGet(1_000);
    signal.sent();
    now.addAndGet(1_500);
    assertThat(signal.silent()).isFalse();
    now.addAndGet(600);
    assertThat(signal.silentMillis()).isEqualTo(2_100);
  }

  @Test
  void backendsSayWhichJobIsSilentAndForHowLong() {
    BackendSignal settlement = new BackendSignal(now::get);
    Backends backends = new Backends(signal, settlement, new BackendSignal(now::get));
    assertThat(backends.anySilent()).isFalse();
    settlement.sent();
    now.addAndGet(7_400);
    assertThat(backends.anySilent()).isTrue();
    assertThat(backends.json().encode())
        .isEqualTo("{\"allocation\":\"answering\",\"settlement\":\"silent for 7 s\",\"sharing\":\"answering\"}");
  }
}
