package io.redpacket.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.Open;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.ShareMove;
import io.redpacket.avro.ShareRequest;
import org.junit.jupiter.api.Test;

/** What the settlement and sharing jobs refuse from each other's topics. */
class InputRulesTest {
  static final ShareGrant PIECE = new ShareGrant("p/0/1/piece/1", ShareMove.PIECE, "p/0/1", "p", "acme", "alice", "bob",
      1, 200L, 4000L);

  static GrantState opened(long shareCents, int sharePieces) {
    Grant g = new Grant("p/0/1", "s1", "alice", "p", 0, 300L, 1L, 1000L, "acme", shareCents, sharePieces);
    GrantState s = Settlement.grant(g).state();
    return Settlement.open(g, s, new Open("o-1", "p/0/1", "alice", 2000L)).state();
  }

  @Test
  void aShareGrantNeedsItsIdsAndPositiveCents() {
    assertThat(InputRules.shareGrant(PIECE)).isEmpty();
    assertThat(InputRules.shareGrant(ShareGrant.newBuilder(PIECE).setUserId("").setSponsor("").build()))
        .as("one message for all ids").containsExactly("ids must be 1 to 256 characters");
    assertThat(InputRules.shareGrant(ShareGrant.newBuilder(PIECE).setShareId("x".repeat(257)).build())).hasSize(1);
    assertThat(InputRules.shareGrant(ShareGrant.newBuilder(PIECE).setCents(0L).build()))
        .containsExactly("cents must be positive, not 0");
  }

  @Test
  void aGrantStateNeedsIdsAndASplittableAllowance() {
    assertThat(InputRules.grantState(opened(1000L, 5))).isEmpty();
    assertThat(InputRules.grantState(opened(0L, 0))).as("no allowance is fine").isEmpty();
    assertThat(InputRules.grantState(GrantState.newBuilder(opened(0L, 0)).setUserId("").build()))
        .containsExactly("grantId and userId must be set");
    assertThat(InputRules.grantState(opened(4L, 5))).containsExactly("impossible share allowance: 4 cents in 5 pieces");
    assertThat(InputRules.grantState(opened(-1L, 0))).hasSize(1);
    assertThat(InputRules.grantState(opened(10_000L, Sharing.MAX_PIECES + 1))).hasSize(1);
    assertThat(InputRules.grantState(opened(10_000L, Sharing.MAX_PIECES))).isEmpty();
  }

  @Test
  void eachRequestTopicTakesItsOwnAction() {
    ShareRequest share = new ShareRequest("r1", "p/0/1", "alice", ShareAction.SHARE, 3000L);
    ShareRequest claim = new ShareRequest("r2", "p/0/1", "bob", ShareAction.CLAIM, 4000L);
    assertThat(InputRules.share(share)).isEmpty();
    assertThat(InputRules.claim(claim)).isEmpty();
    assertThat(InputRules.share(claim)).containsExactly("action CLAIM on the SHARE topic");
    assertThat(InputRules.claim(share)).containsExactly("action SHARE on the CLAIM topic");
    assertThat(InputRules.claim(ShareRequest.newBuilder(claim).setTimestamp(0L).build()))
        .containsExactly("timestamp must be positive");
  }
}
