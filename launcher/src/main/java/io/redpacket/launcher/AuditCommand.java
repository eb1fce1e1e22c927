package io.redpacket.launcher;

import io.redpacket.core.Audit;
import io.redpacket.core.SettlementAudit;
import io.redpacket.core.SharingAudit;
import io.redpacket.simulator.AuditRunner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "Read the committed output topics and check the invariants of allocation, settlement and sharing to the cent;"
        + " exit 1 on any violation.")
final class AuditCommand implements Callable<Integer> {
  @Mixin StackOptions stack;

  @Option(names = "--allocation-only", description = "check only the allocation invariants (1, 2, 3, 6)")
  boolean allocationOnly;

  @Override
  public Integer call() {
    Audit.Report report = AuditRunner.run(stack.bootstrap, stack.topicPrefix);
    System.out.print(report.render());
    if (allocationOnly) {
      return report.clean() ? 0 : 1;
    }
    SettlementAudit.Report settled = AuditRunner.settlement(stack.bootstrap, stack.topicPrefix, stack.topicPrefix);
    System.out.print(settled.render());
    if (!settled.clean()) {
      System.out.println("SETTLEMENT AUDIT FAILED. If the wave has just ended, settlement may still be catching up"
          + " (grants not yet reserved, or not yet past their expiry): run the audit again in a minute.");
    }
    SharingAudit.Report sharing = AuditRunner.sharing(stack.bootstrap, stack.topicPrefix, stack.topicPrefix,
        stack.topicPrefix);
    System.out.print(sharing.render());
    if (!sharing.clean()) {
      System.out.println("SHARING AUDIT FAILED. If shares were just made or claimed, the settlement job may not have"
          + " booked them yet: run the audit again in a minute.");
    }
    return report.clean() && settled.clean() && sharing.clean() ? 0 : 1;
  }
}
