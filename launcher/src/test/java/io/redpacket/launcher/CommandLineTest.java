package io.redpacket.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.kafka.TopicAdmin;
import io.redpacket.kafka.TopicReader;
import io.redpacket.stack.SharedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The CLI's answers to bad input: a clear message, exit code 2, nothing written. */
class CommandLineTest {
  final StringWriter err = new StringWriter();

  int run(String... args) {
    CommandLine cli = Main.cli();
    cli.setErr(new PrintWriter(err, true));
    cli.setOut(new PrintWriter(new StringWriter(), true));
    return cli.execute(args);
  }

  @Test
  void anImpossiblePoolIsRefusedWithItsReasonAndNothingIsWritten() {
    String bootstrap = SharedKafka.bootstrap();
    String prefix = "cli-" + UUID.randomUUID().toString().substring(0, 6) + "-";
    TopicAdmin.ensure(bootstrap, List.of(prefix + "pools"), List.of(prefix + "pools"), 1);
    java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
    java.io.PrintStream old = System.err;
    System.setErr(new java.io.PrintStream(stderr, true));
    int code;
    try {
      code = run("pool", "create", "--bootstrap", bootstrap, "--topic-prefix", prefix, "--id", "w1",
          "--total-cents", "1000", "--count", "100", "--sets", "10", "--min-cents", "20");
    } finally {
      System.setErr(old);
    }
    assertThat(code).isEqualTo(2);
    assertThat(stderr.toString()).contains("totalCount x minCents = 2000 cents exceeds totalCents = 1000");
    assertThat(TopicReader.readAll(bootstrap, prefix + "pools", true)).isEmpty();

    assertThat(run("pool", "create", "--bootstrap", bootstrap, "--topic-prefix", prefix, "--id", "w1",
        "--total-cents", "100000", "--count", "100", "--sets", "10")).isZero();
    assertThat(TopicReader.readAll(bootstrap, prefix + "pools", true)).hasSize(1);
  }

  @Test
  void badFlagsSayWhatIsWrong() {
    assertThat(run("pool", "create", "--bootstrap", "x", "--id", "w", "--total-cents", "ten", "--count", "1"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--total-cents").contains("ten");
    assertThat(run("demo", "--shakes", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--shakes must be from 1");
    assertThat(run("no-such-command")).isEqualTo(2);
  }
}
