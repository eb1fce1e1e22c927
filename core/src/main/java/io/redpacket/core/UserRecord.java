package io.redpacket.core;

import java.util.Arrays;

/**
 * What one set remembers of one user (a user always meets the same set of a pool): the packets
 * won, with the shake ids that won them, and the outcomes of the user's most recent shakes, so a
 * retried shakeId gets the same answer. State grows with users, not with shakes.
 *
 * <p>A POJO (public fields, arrays rather than collections) so Flink serializes it compactly.
 */
public class UserRecord {
  /** How many of a user's latest non-winning shakes are remembered for retries. */
  public static final int RECENT = 8;

  public int wins;
  public String lastGrantId;
  public long lastCents;
  public String[] winningShakeIds = new String[0];
  public String[] winningGrantIds = new String[0];
  public long[] winningCents = new long[0];
  public String[] recentShakeIds = new String[0];
  public int[] recentOutcomes = new int[0];
  public int nextRecent;

  public UserRecord() {}

  int winningIndex(String shakeId) {
    for (int i = 0; i < winningShakeIds.length; i++) {
      if (winningShakeIds[i].equals(shakeId)) {
        return i;
      }
    }
    return -1;
  }

  int recentIndex(String shakeId) {
    for (int i = 0; i < recentShakeIds.length; i++) {
      if (shakeId.equals(recentShakeIds[i])) {
        return i;
      }
    }
    return -1;
  }

  void remember(String shakeId, int outcome) {
    if (recentShakeIds.length < RECENT) {
      recentShakeIds = Arrays.copyOf(recentShakeIds, recentShakeIds.length + 1);
      recentOutcomes = Arrays.copyOf(recentOutcomes, recentOutcomes.length + 1);
      recentShakeIds[recentShakeIds.length - 1] = shakeId;
      recentOutcomes[recentOutcomes.length - 1] = outcome;
      return;
    }
    recentShakeIds[nextRecent] = shakeId;
    recentOutcomes[nextRecent] = outcome;
    nextRecent = (nextRecent + 1) % RECENT;
  }

  void won(String shakeId, String grantId, long cents) {
    wins++;
    lastGrantId = grantId;
    lastCents = cents;
    int n = winningShakeIds.length;
    winningShakeIds = Arrays.copyOf(winningShakeIds, n + 1);
    winningGrantIds = Arrays.copyOf(winningGrantIds, n + 1);
    winningCents = Arrays.copyOf(winningCents, n + 1);
    winningShakeIds[n] = shakeId;
    winningGrantIds[n] = grantId;
    winningCents[n] = cents;
  }
}
