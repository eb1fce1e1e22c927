package io.redpacket.core;

/** The grants one user holds in one set (a user always meets the same set of a pool). */
public class UserWins {
  public int count;
  public String lastGrantId;
  public long lastCents;

  public UserWins() {}
}
