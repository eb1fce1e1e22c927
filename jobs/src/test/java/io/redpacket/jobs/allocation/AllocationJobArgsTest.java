package io.redpacket.jobs.allocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.jobs.common.JobArgs;
import org.junit.jupiter.api.Test;

class AllocationJobArgsTest {
  @Test
  void unknownMissingAndMalformedFlagsAreNamedWithTheUsage() {
    assertThatThrownBy(() -> new JobArgs(new String[] {"--bootstrp", "x"}, AllocationJob.FLAGS))
        .hasMessageContaining("unknown flag(s) [bootstrp]").hasMessageContaining("--bootstrap");
    assertThatThrownBy(() -> new JobArgs(new String[] {}, AllocationJob.FLAGS).required("bootstrap"))
        .hasMessageContaining("--bootstrap is required");
    assertThatThrownBy(() -> new JobArgs(new String[] {"--retention-minutes", "-3"}, AllocationJob.FLAGS)
        .positiveLong("retention-minutes", 60, 100)).hasMessageContaining("whole number from 1 to 100");
    assertThatThrownBy(() -> new JobArgs(new String[] {"--bounded", "maybe"}, AllocationJob.FLAGS).flag("bounded"))
        .hasMessageContaining("true or false");
  }

  @Test
  void theUserCacheIsSetByFlagAndRefusedOutsideItsRange() {
    assertThat(AllocationJob.settings(new JobArgs(new String[] {}, AllocationJob.FLAGS)).userCache())
        .isEqualTo(AllocationSettings.DEFAULT_USER_CACHE);
    assertThat(AllocationJob.settings(new JobArgs(new String[] {"--user-cache", "5000"}, AllocationJob.FLAGS))
        .userCache()).isEqualTo(5000);
    assertThatThrownBy(() -> AllocationJob.settings(new JobArgs(new String[] {"--user-cache", "0"}, AllocationJob.FLAGS)))
        .hasMessageContaining("--user-cache must be a whole number from 1 to 10000000");
  }
}
