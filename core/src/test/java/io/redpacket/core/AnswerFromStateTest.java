package io.redpacket.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantPhase;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.Open;
import io.redpacket.avro.OpenCode;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareCode;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareState;
import org.junit.jupiter.api.Test;

/** What the states alone decide, as the ingest answers it without the jobs: the jobs' own rules. */
class AnswerFromStateTest {
  final Grant grant = new Grant("p/0/1", "s1", "alice", "p", 0, 300L, 1L, 1000L, "acme", 1000L, 5);
  final GrantState granted = Settlement.grant(grant).state();
  final GrantState opened = SharingTest.opened(grant);

  static ShareRequest req(String user, ShareAction action) {
    return new ShareRequest("r1", "p/0/1", user, action, 3000L);
  }

  @Test
  void aShareIsLeftToTheJobWhenItWouldBeMadeOrMustWait() {
    assertThat(Sharing.answerFromState(null, null, req("alice", ShareAction.SHARE), false)).as("grant unknown").isNull();
    assertThat(Sharing.answerFromState(opened, null, req("alice", ShareAction.SHARE), false)).as("would share").isNull();
    assertThat(Sharing.answerFromState(granted, null, req("alice", ShareAction.SHARE), true)).as("open sent").isNull();
  }

  @Test
  void aShareTheStatesDecideIsAnsweredAsTheJobWould() {
    assertThat(Sharing.answerFromState(granted, null, req("alice", ShareAction.SHARE), false).getResult())
        .isEqualTo(ShareCode.NOT_OPENED);
    assertThat(Sharing.answerFromState(opened, null, req("mallory", ShareAction.SHARE), true).getResult())
        .isEqualTo(ShareCode.NOT_OWNER);
    GrantState expired = GrantState.newBuilder(granted).setState(GrantPhase.EXPIRED).build();
    assertThat(Sharing.answerFromState(expired, null, req("alice", ShareAction.SHARE), true).getResult())
        .isEqualTo(ShareCode.NOT_OPENED);
    ShareState share = Sharing.share(opened, null, req("alice", ShareAction.SHARE), 60_000).state();
    assertThat(Sharing.answerFromState(opened, share, req("alice", ShareAction.SHARE), false).getResult())
        .isEqualTo(ShareCode.SHARED);
    assertThat(Sharing.claimAnswerFromState(share, req("alice", ShareAction.CLAIM)).getResult())
        .isEqualTo(ShareCode.OWN_SHARE);
    assertThat(Sharing.claimAnswerFromState(share, req("bob", ShareAction.CLAIM))).as("a piece to draw").isNull();
    assertThat(Sharing.claimAnswerFromState(null, req("bob", ShareAction.CLAIM))).isNull();
  }

  @Test
  void anOpenIsRefusedByTheGrantsStateAsSettlementRefusesIt() {
    Open mallory = new Open("o1", "p/0/1", "mallory", 2000L);
    assertThat(Settlement.refusal(granted, mallory).getResult()).isEqualTo(OpenCode.NOT_OWNER);
    assertThat(Settlement.open(grant, granted, mallory).result()).isEqualTo(Settlement.refusal(granted, mallory));
    GrantState expired = GrantState.newBuilder(granted).setState(GrantPhase.EXPIRED).build();
    Open alice = new Open("o2", "p/0/1", "alice", 2000L);
    assertThat(Settlement.refusal(expired, alice).getResult()).isEqualTo(OpenCode.EXPIRED);
    assertThat(Settlement.refusal(granted, alice)).isNull();
    assertThat(Settlement.refusal(opened, alice)).isNull();
  }
}
