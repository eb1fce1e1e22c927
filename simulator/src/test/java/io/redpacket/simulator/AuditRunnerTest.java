package io.redpacket.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.Open;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareRequest;
import org.junit.jupiter.api.Test;

/**
 * The audit counts only the input records the jobs use: a valid record whose own time stamp is out
 * of bounds of its Kafka record's is a dead letter with no answer, so the audit must not expect one
 * (found by the hostile-input drill: such a shake was reported as "every shake has an outcome"
 * failed, and replayed into the grants).
 */
class AuditRunnerTest {
  static final long NOW = 1_800_000_000_000L;
  static final long YEAR = 365L * 86_400_000L;

  static Shake shake(long at) {
    return Shake.newBuilder().setShakeId("s").setUserId("u").setPoolId("p").setSetId(0).setTimestamp(at).setDevice(null).build();
  }

  @Test
  void shakesOpensAndRequestsStampedOutOfBoundsAreNotExpectedToBeAnswered() {
    assertThat(AuditRunner.used(shake(NOW), NOW)).isTrue();
    assertThat(AuditRunner.used(shake(NOW + 10 * YEAR), NOW)).as("years ahead").isFalse();
    assertThat(AuditRunner.used(shake(-86_400_000L), NOW)).as("before 1970").isFalse();
    assertThat(AuditRunner.used(shake(NOW), 0L)).as("Kafka time stamp of 1970").isFalse();
    Open open = Open.newBuilder().setOpenId("o").setGrantId("g").setUserId("u").setTimestamp(NOW + 10 * YEAR).build();
    assertThat(AuditRunner.used(open, NOW)).isFalse();
    assertThat(AuditRunner.used(Open.newBuilder(open).setTimestamp(NOW).build(), NOW)).isTrue();
    ShareRequest claim = ShareRequest.newBuilder().setRequestId("r").setShareId("s").setUserId("u")
        .setAction(ShareAction.CLAIM).setTimestamp(NOW).build();
    assertThat(AuditRunner.used(claim, ShareAction.CLAIM, NOW)).isTrue();
    assertThat(AuditRunner.used(claim, ShareAction.CLAIM, 0L)).isFalse();
    assertThat(AuditRunner.used(claim, ShareAction.SHARE, NOW)).as("on the other topic").isFalse();
  }
}
