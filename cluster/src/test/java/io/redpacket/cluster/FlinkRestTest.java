package io.redpacket.cluster;

import static io.redpacket.cluster.JsonAnswer.answer;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Flink's REST API as the drills read it, against a loopback server answering as a JobManager does. */
class FlinkRestTest {
  @Test
  void aJobsLatestFailureIsItsNewestEntrysTaskAndTheFirstLineOfItsTrace() throws Exception {
    HttpServer jm = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    jm.createContext("/jobs/failed/exceptions", exchange -> answer(exchange, """
        {"exceptionHistory": {"entries": [
          {"timestamp": 1000, "taskName": "decode-shakes (1/2)", "stacktrace": "java.io.IOException: older\\n\\tat a.B.c(B.java:1)"},
          {"timestamp": 5000, "taskName": "allocate (2/2)",
           "stacktrace": "org.apache.kafka.common.errors.ProducerFencedException: fenced by a newer producer\\n\\tat x.Y.z(Y.java:9)"}
        ]}}"""));
    jm.createContext("/jobs/healthy/exceptions", exchange -> answer(exchange, """
        {"exceptionHistory": {"entries": []}}"""));
    jm.start();
    try {
      FlinkRest rest = new FlinkRest("http://127.0.0.1:" + jm.getAddress().getPort());
      assertThat(rest.lastFailure("failed"))
          .isEqualTo("allocate (2/2): org.apache.kafka.common.errors.ProducerFencedException: fenced by a newer producer");
      assertThat(rest.lastFailure("healthy")).isNull();
    } finally {
      jm.stop(0);
    }
  }

}
