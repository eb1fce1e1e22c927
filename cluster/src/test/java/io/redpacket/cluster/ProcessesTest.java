package io.redpacket.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessesTest {
  @TempDir
  Path dir;

  /**
   * A process is found the moment it has been started. A search by command line alone missed about 1
   * start in 20 (the command line cannot be read while setsid hands over to the command), and the
   * drill then took a JobManager it had just started for one that had exited.
   */
  @Test
  void aProcessJustStartedIsFoundAtOnceEveryTime() {
    for (int i = 0; i < 100; i++) {
      String marker = Cluster.MARKER + dir.resolve("component-" + i);
      // One process that lives until killed and carries the marker (a shell would leave its child behind).
      Processes.launchDetached(dir, "component-" + i, marker, List.of("tail", "-f", "--", "/dev/null", marker));
      var found = Processes.find(marker);
      assertThat(found).as("start %d", i).isPresent();
      Processes.kill(found.get());
      assertThat(Processes.find(marker)).as("start %d, killed", i).isEmpty();
    }
  }
}
