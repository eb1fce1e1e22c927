package io.redpacket.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The ingest does not start with secrets everyone knows, unless told it is for development. */
class IngestSecretsTest {
  @Test
  void withoutATokenSecretOrAdminTokenTheIngestRefusesToStartUnlessDev() {
    assumeThat(System.getenv("REDPACKET_TOKEN_SECRET")).as("a test environment without secrets").isNull();
    assumeThat(System.getenv("REDPACKET_ADMIN_TOKEN")).isNull();
    assertThatThrownBy(IngestMain::secret).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REDPACKET_TOKEN_SECRET").hasMessageContaining("--dev");
    assertThatThrownBy(IngestMain::adminToken).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REDPACKET_ADMIN_TOKEN").hasMessageContaining("--dev");
  }

  @Test
  void withDevTheBuiltInSecretsAreUsedAndTheCommandLineRefusesWithoutIt() {
    assumeThat(System.getenv("REDPACKET_TOKEN_SECRET")).isNull();
    assertThat(IngestMain.secret(true)).isEqualTo(IngestMain.DEV_SECRET);
    assertThat(IngestMain.adminToken(true)).isEqualTo(IngestMain.DEV_ADMIN);
    java.io.StringWriter err = new java.io.StringWriter();
    CommandLine cli = new CommandLine(new IngestMain()).setErr(new java.io.PrintWriter(err));
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> e instanceof IllegalArgumentException ? 2 : 1);
    assertThat(cli.execute("--bootstrap", "127.0.0.1:1", "--port", "0")).as("a usage error, before listening").isEqualTo(2);
  }

  @Test
  void aTooShortSecretIsRefusedEvenWithDev() {
    assertThatThrownBy(() -> IngestMain.checkSecret("REDPACKET_TOKEN_SECRET", "short")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("16");
  }
}
