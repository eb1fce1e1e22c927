package io.redpacket.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine here to build docker/ingest.Dockerfile, so this checks what a build would
 * find: the entrypoint is a main class of this module, and the image gets this module's runtime
 * dependencies, not the launcher's.
 */
class IngestDockerfileTest {
  private static List<String> instructions;

  @BeforeAll
  static void read() throws Exception {
    String text = Files.readString(Path.of("..", "docker", "ingest.Dockerfile"));
    instructions = new ArrayList<>();
    for (String line : text.replace("\\\n", " ").split("\n")) {
      if (!line.isBlank() && !line.strip().startsWith("#")) {
        instructions.add(line.strip());
      }
    }
  }

  private static List<String> all(String keyword) {
    return instructions.stream().filter(i -> i.startsWith(keyword + " ")).map(i -> i.substring(keyword.length()).strip())
        .toList();
  }

  @Test
  void theEntrypointRunsAMainClassOfThisModule() throws Exception {
    List<String> entrypoints = all("ENTRYPOINT");
    assertThat(entrypoints).hasSize(1);
    JsonArray command = new JsonArray(entrypoints.get(0));
    String className = command.getString(command.size() - 1);
    assertThat(command.getList()).startsWith("java").contains("-cp", "/opt/redpacket/lib/*");

    Class<?> main = Class.forName(className);
    Method m = main.getMethod("main", String[].class);
    assertThat(Modifier.isStatic(m.getModifiers()) && Modifier.isPublic(m.getModifiers())).isTrue();
    // This module's own classes, not a class some dependency happens to bring.
    assertThat(Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI()))
        .isEqualTo(Path.of("target", "classes").toAbsolutePath());
  }

  @Test
  void theBuildCopiesThisModulesRuntimeDependenciesAndNotTheLaunchers() {
    String build = String.join(" ", all("RUN"));
    assertThat(build).contains("-pl ingest -am ")
        .containsPattern("-pl ingest dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=/out/lib")
        .contains("cp ingest/target/ingest-*.jar /out/lib/")
        .doesNotContain("launcher", "jobs", "flink", "rocksdb");
    assertThat(all("COPY")).contains("--from=build /out /opt/redpacket");
    assertThat(String.join("\n", instructions)).doesNotContain("io.redpacket.launcher");
  }
}
