package io.redpacket.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What a stack started without kept data deletes first (the broker's part is in LocalKafkaDataTest). */
class LocalStackDataTest {

  @Test
  void onlyTheStacksOwnFoldersGoAndTheUserIsTold() throws Exception {
    Path dataDir = Files.createTempDirectory("stack-left");
    Files.createDirectories(dataDir.resolve("kafka/kraft-logs/shakes-0"));
    Files.writeString(dataDir.resolve("kafka/kraft-logs/shakes-0/00000000000000000000.log"), "an earlier wave");
    Files.createDirectories(dataDir.resolve("flink/checkpoints"));
    Files.writeString(dataDir.resolve("notes.txt"), "not the stack's");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    LocalStack.deleteLeftData(dataDir, new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(dataDir.resolve("kafka")).doesNotExist();
    assertThat(dataDir.resolve("flink")).doesNotExist();
    assertThat(dataDir.resolve("notes.txt")).hasContent("not the stack's");
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("starting afresh").contains(dataDir.toString());

    printed.reset();
    LocalStack.deleteLeftData(dataDir, new PrintStream(printed, true, StandardCharsets.UTF_8));
    assertThat(printed.toString(StandardCharsets.UTF_8)).as("nothing left, nothing said").isEmpty();
  }
}
