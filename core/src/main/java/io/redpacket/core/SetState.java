package io.redpacket.core;

/** What is left in one set of one pool. A POJO (public fields, no-arg constructor) so Flink stores it compactly. */
public class SetState {
  public long initialCount;
  public long initialCents;
  public long remainingCount;
  public long remainingCents;
  /** Grants made so far; the next grant has sequence {@code sequence + 1}. */
  public long sequence;
  /** Set once the pool's window and retention have passed and the per-user and per-shake state was dropped. */
  public boolean retired;

  public SetState() {}

  public static SetState initial(PoolRules.SetBudget budget) {
    SetState s = new SetState();
    s.initialCount = budget.count();
    s.initialCents = budget.cents();
    s.remainingCount = budget.count();
    s.remainingCents = budget.cents();
    return s;
  }
}
