package io.redpacket.launcher;

import io.redpacket.core.Tokens;
import io.redpacket.ingest.IngestMain;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./redpacket ingest} is the ingest module's own command, {@link IngestMain} (registered in
 * {@link Main}); here are the token secret the other commands share with it, and {@code ./redpacket token}.
 */
final class IngestCommand {
  private IngestCommand() {}

  static String secret() {
    // A client's secret: minting tokens with the development one is harmless, an ingest without --dev refuses them.
    return IngestMain.secretOrDev();
  }

  @Command(name = "token", mixinStandardHelpOptions = true,
      description = "Mint a user token for the ingest (signed with REDPACKET_TOKEN_SECRET).")
  static final class Token implements Callable<Integer> {
    @Parameters(index = "0", description = "the user id")
    String user;

    @Option(names = "--ttl", defaultValue = "PT24H", description = "how long it is valid, ISO-8601 (default: ${DEFAULT-VALUE})")
    Duration ttl;

    @Override
    public Integer call() {
      System.out.println(new Tokens(secret()).mint(user, System.currentTimeMillis() + ttl.toMillis()));
      return 0;
    }
  }
}
