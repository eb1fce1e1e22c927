package io.redpacket.core;

import io.redpacket.avro.GrantState;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.ShareRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Why a record one job reads from another's topic cannot be used; empty when it can. The jobs
 * refuse such records to the dead letters instead of letting a bad one poison keyed state.
 */
public final class InputRules {
  private InputRules() {}

  /** A share grant the settlement job books: every id set, money positive. */
  public static List<String> shareGrant(ShareGrant m) {
    List<String> errors = new ArrayList<>();
    for (String field : new String[] {m.getMoveId(), m.getShareId(), m.getPoolId(), m.getSponsor(), m.getUserId()}) {
      if (field == null || field.isEmpty() || field.length() > 256) {
        errors.add("ids must be 1 to 256 characters");
        break;
      }
    }
    if (m.getCents() <= 0) {
      errors.add("cents must be positive, not " + m.getCents());
    }
    return errors;
  }

  /** A grant state the sharing job reads: ids set, and a share allowance that can be split into its pieces. */
  public static List<String> grantState(GrantState s) {
    List<String> errors = new ArrayList<>();
    if (s.getGrantId() == null || s.getGrantId().isEmpty() || s.getUserId() == null || s.getUserId().isEmpty()) {
      errors.add("grantId and userId must be set");
    }
    if (s.getShareCents() < 0 || s.getSharePieces() < 0 || s.getSharePieces() > Sharing.MAX_PIECES
        || (s.getShareCents() > 0 && s.getShareCents() < s.getSharePieces())) {
      errors.add("impossible share allowance: " + s.getShareCents() + " cents in " + s.getSharePieces() + " pieces");
    }
    return errors;
  }

  /** A request on the shares topic: a valid request whose action is SHARE. */
  public static List<String> share(ShareRequest r) {
    return Sharing.validate(r, ShareAction.SHARE);
  }

  /** A request on the share-claims topic: a valid request whose action is CLAIM. */
  public static List<String> claim(ShareRequest r) {
    return Sharing.validate(r, ShareAction.CLAIM);
  }
}
