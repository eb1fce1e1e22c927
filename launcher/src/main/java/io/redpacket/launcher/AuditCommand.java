package io.redpacket.launcher;

import io.redpacket.core.Audit;
import io.redpacket.simulator.AuditRunner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "Read the committed output topics and check the invariants to the cent; exit 1 on any violation.")
final class AuditCommand implements Callable<Integer> {
  @Mixin StackOptions stack;

  @Override
  public Integer call() {
    Audit.Report report = AuditRunner.run(stack.bootstrap, stack.topicPrefix);
    System.out.print(report.render());
    return report.clean() ? 0 : 1;
  }
}
