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
   * A process is found the moment it has been started, 300 times over. A search by command line alone
   * missed 1 to 5 starts in 100 (the command line cannot be read while setsid hands over to the
   * command), and the drill then took a JobManager it had just started for one that had exited.
   */
  @Test
  void aProcessJustStartedIsFoundAtOnceEveryTime() {
    for (int i = 0; i < 300; i++) {
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
