package io.redpacket.core;

/**
 * Requests that came before what they need (a claim before its share, an open before its grant)
 * wait for it, bounded twice: by a deadline set when the first of them came, which later ones do
 * not move, and by a number per key. One more than the cap is answered at once, as if it had
 * waited in vain, so that a flood of requests for an unknown id holds no state.
 */
public final class Waiting {
  /** At most this many requests wait on one key. */
  public static final int MAX_PER_KEY = 64;

  private Waiting() {}

  /** Whether one more request may join those already waiting on a key. */
  public static <T> boolean mayJoin(Iterable<T> waiting) {
    int n = 0;
    for (T ignored : waiting) {
      if (++n >= MAX_PER_KEY) {
        return false;
      }
    }
    return true;
  }
}
