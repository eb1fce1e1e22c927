package io.redpacket.simulator;

import io.redpacket.avro.Grant;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What the openers of shareable packets and their friends do: some openers share their group
 * packet (a few clients send it twice; now and then someone tries to share a packet that is not
 * theirs), and the sharer's friends, from the {@link SocialGraph}, claim it. Usually a few more
 * friends than pieces claim, so they race for the last piece; some shares get too few claims
 * and are refunded at expiry; some claims are retried, tapped twice, or sent by the sharer.
 */
public final class SharePlan {
  public enum Kind { SHARE, SHARE_RETRY, FOREIGN_SHARE, CLAIM, CLAIM_RETRY, CLAIM_AGAIN, OWN_CLAIM }

  /** One request to send, {@code atMillis} after the grant was opened, by {@code userId}. */
  public record Action(Kind kind, ShareAction action, String requestId, String shareId, String userId, long atMillis) {
    public ShareRequest request(long timestamp) {
      return new ShareRequest(requestId, shareId, userId, action, timestamp);
    }
  }

  /**
   * @param shareShare share of opened grants whose owner shares them
   * @param underClaimShare share of shares that get fewer claims than pieces (refunded at expiry)
   * @param retryShare share of requests a client sends twice with the same key
   * @param foreignShare share of opened grants someone else tries to share
   * @param maxDelayMillis friends claim within this delay after the share
   */
  public record Mix(double shareShare, double underClaimShare, double retryShare, double foreignShare,
      long maxDelayMillis) {
    public static Mix standard(long maxDelayMillis) {
      return new Mix(0.6, 0.2, 0.03, 0.02, maxDelayMillis);
    }
  }

  private final Mix mix;
  private final SocialGraph graph;
  private final SplittableRandom random;
  private long n;

  public SharePlan(Mix mix, SocialGraph graph, long seed) {
    this.mix = mix;
    this.graph = graph;
    this.random = new SplittableRandom(seed);
  }

  /** What happens to one opened grant's group packet, if its pool has one. Not thread-safe. */
  public List<Action> actionsFor(Grant g) {
    List<Action> actions = new ArrayList<>();
    if (g.getShareCents() <= 0 || g.getSharePieces() <= 0) {
      return actions;
    }
    String owner = g.getUserId();
    List<String> friends = graph.friendsOf(owner);
    if (random.nextDouble() < mix.foreignShare()) {
      actions.add(new Action(Kind.FOREIGN_SHARE, ShareAction.SHARE, "fs-" + n++, g.getGrantId(), friends.get(0), 0));
    }
    if (random.nextDouble() >= mix.shareShare()) {
      return actions;
    }
    String shareKey = "sh-" + n++;
    actions.add(new Action(Kind.SHARE, ShareAction.SHARE, shareKey, g.getGrantId(), owner, 0));
    if (random.nextDouble() < mix.retryShare()) {
      actions.add(new Action(Kind.SHARE_RETRY, ShareAction.SHARE, shareKey, g.getGrantId(), owner, 1));
    }
    int pieces = g.getSharePieces();
    int claimers = random.nextDouble() < mix.underClaimShare()
        ? random.nextInt(pieces) // fewer than the pieces: the rest is refunded
        : pieces + 1 + random.nextInt(2); // one or two more than the pieces: a race for the last one
    claimers = Math.min(claimers, friends.size());
    for (int i = 0; i < claimers; i++) {
      long at = 2 + delay();
      String key = "cl-" + n++;
      actions.add(new Action(Kind.CLAIM, ShareAction.CLAIM, key, g.getGrantId(), friends.get(i), at));
      double r = random.nextDouble();
      if (r < mix.retryShare()) {
        actions.add(new Action(Kind.CLAIM_RETRY, ShareAction.CLAIM, key, g.getGrantId(), friends.get(i), at + 1));
      } else if (r < 2 * mix.retryShare()) {
        actions.add(new Action(Kind.CLAIM_AGAIN, ShareAction.CLAIM, "cl-" + n++, g.getGrantId(), friends.get(i), at + 2));
      }
    }
    if (random.nextDouble() < mix.retryShare()) {
      actions.add(new Action(Kind.OWN_CLAIM, ShareAction.CLAIM, "cl-" + n++, g.getGrantId(), owner, 3 + delay()));
    }
    return actions;
  }

  /** The share requests and claims for these opened grants, in the order they are sent. Deterministic for a seed. */
  public static List<Action> plan(List<Grant> opened, Mix mix, SocialGraph graph, long seed) {
    SharePlan plan = new SharePlan(mix, graph, seed);
    List<Action> actions = new ArrayList<>();
    for (Grant g : opened) {
      actions.addAll(plan.actionsFor(g));
    }
    actions.sort(Comparator.comparingLong(Action::atMillis));
    return actions;
  }

  private long delay() {
    return mix.maxDelayMillis() <= 0 ? 0 : random.nextLong(mix.maxDelayMillis());
  }
}
