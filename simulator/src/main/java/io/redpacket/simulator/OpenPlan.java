package io.redpacket.simulator;

import io.redpacket.avro.Grant;
import io.redpacket.avro.Open;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What the winners do with their packets: most open them after a human delay, some open twice
 * (a second tap, with a new idempotency key), some clients retry the same open, some users try
 * to open other people's grants, and some never open (refunded at expiry).
 */
public final class OpenPlan {
  public enum Kind { OWNER, SECOND_TAP, CLIENT_RETRY, FOREIGN }

  /** One open to send, {@code atMillis} after the plan starts, by {@code userId}. */
  public record Action(Kind kind, String openId, String grantId, String userId, long atMillis) {
    public Open open(long timestamp) {
      return new Open(openId, grantId, userId, timestamp);
    }
  }

  /**
   * @param openShare share of grants their owner opens
   * @param secondTapShare share of opened grants opened again with a new key
   * @param retryShare share of opened grants whose open the client sends twice
   * @param foreignShare share of grants someone else tries to open
   * @param maxDelayMillis owners open uniformly within this delay
   */
  public record Mix(double openShare, double secondTapShare, double retryShare, double foreignShare, long maxDelayMillis) {
    public static Mix standard(long maxDelayMillis) {
      return new Mix(0.85, 0.05, 0.03, 0.03, maxDelayMillis);
    }
  }

  private final Mix mix;
  private final SplittableRandom random;
  private long n;

  public OpenPlan(Mix mix, long seed) {
    this.mix = mix;
    this.random = new SplittableRandom(seed);
  }

  /**
   * What happens to one grant, with times relative to when it is seen. Not thread-safe.
   *
   * @param otherUser someone else, who may try to open it
   */
  public List<Action> actionsFor(Grant g, String otherUser) {
    List<Action> actions = new ArrayList<>();
    if (random.nextDouble() < mix.foreignShare()) {
      String thief = otherUser.equals(g.getUserId()) ? g.getUserId() + "-x" : otherUser;
      actions.add(new Action(Kind.FOREIGN, "f-" + n++, g.getGrantId(), thief, delay(random, mix)));
    }
    if (random.nextDouble() >= mix.openShare()) {
      return actions; // never opened: refunded when it expires
    }
    long at = delay(random, mix);
    String openId = "o-" + n++;
    actions.add(new Action(Kind.OWNER, openId, g.getGrantId(), g.getUserId(), at));
    if (random.nextDouble() < mix.retryShare()) {
      actions.add(new Action(Kind.CLIENT_RETRY, openId, g.getGrantId(), g.getUserId(), at + 1));
    }
    if (random.nextDouble() < mix.secondTapShare()) {
      actions.add(new Action(Kind.SECOND_TAP, "o-" + n++, g.getGrantId(), g.getUserId(), at + 2));
    }
    return actions;
  }

  /** The opens for these grants, in the order they are to be sent. Deterministic for a seed. */
  public static List<Action> plan(List<Grant> grants, Mix mix, long seed) {
    OpenPlan plan = new OpenPlan(mix, seed);
    SplittableRandom others = new SplittableRandom(seed + 1);
    List<Action> actions = new ArrayList<>();
    for (Grant g : grants) {
      actions.addAll(plan.actionsFor(g, grants.get(others.nextInt(grants.size())).getUserId()));
    }
    actions.sort(Comparator.comparingLong(Action::atMillis));
    return actions;
  }

  private static long delay(SplittableRandom random, Mix mix) {
    return mix.maxDelayMillis() <= 0 ? 0 : random.nextLong(mix.maxDelayMillis());
  }
}
