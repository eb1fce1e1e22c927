package io.redpacket.simulator;

import io.redpacket.core.StableHash;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Who is friends with whom among the simulator's users {@code u0 .. u<n-1>}: a small world, as
 * chat groups are. Each user knows the users next to them on a ring (family, colleagues) and a
 * few drawn at random (old classmates). Deterministic for a seed, and never materialised: a
 * user's friends are computed when asked for.
 */
public final class SocialGraph {
  private final int users;
  private final int degree;
  private final long seed;

  /**
   * @param users how many users there are
   * @param degree how many friends each user has (at most users - 1)
   */
  public SocialGraph(int users, int degree, long seed) {
    if (users < 2) {
      throw new IllegalArgumentException("a social graph needs at least 2 users, not " + users);
    }
    this.users = users;
    this.degree = Math.max(1, Math.min(degree, users - 1));
    this.seed = seed;
  }

  /** The user's friends, never the user: half ring neighbours, half at random. */
  public List<String> friendsOf(String userId) {
    int self = indexOf(userId);
    Set<Integer> friends = new LinkedHashSet<>();
    int near = degree / 2;
    for (int d = 1; friends.size() < near && d < users; d++) {
      int j = Math.floorMod(self + (d % 2 == 1 ? (d + 1) / 2 : -(d / 2)), users);
      if (j != self) {
        friends.add(j);
      }
    }
    SplittableRandom random = new SplittableRandom(seed ^ StableHash.of(userId));
    while (friends.size() < degree) {
      int j = random.nextInt(users);
      if (j != self) {
        friends.add(j);
      }
    }
    List<String> ids = new ArrayList<>(friends.size());
    friends.forEach(j -> ids.add("u" + j));
    return ids;
  }

  /** The index of {@code u<i>}; other ids land on a stable index of their own. */
  private int indexOf(String userId) {
    if (userId.length() > 1 && userId.charAt(0) == 'u') {
      try {
        int i = Integer.parseInt(userId.substring(1));
        if (i >= 0 && i < users) {
          return i;
        }
      } catch (NumberFormatException notOurs) {
        // falls through
      }
    }
    return (int) Math.floorMod(StableHash.of(userId), (long) users);
  }
}
