package io.redpacket.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.Grant;
import io.redpacket.core.PoolRules;
import io.redpacket.core.SettlementAudit;
import io.redpacket.core.Table;
import io.redpacket.kafka.Await;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The live page of a wave in a real browser (Debian's headless Chromium through Selenium and
 * {@code /usr/bin/chromedriver}; nothing is downloaded) shows the audit's numbers to the cent, and
 * is saved as {@code launcher/target/live-page.png}.
 */
@Order(1)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ObservabilityLivePageTest {
  static final File CHROMIUM = new File("/usr/bin/chromium");
  static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

  @AfterAll
  static void done() {
    ObservedWave.done(ObservabilityLivePageTest.class);
  }

  @Test
  void theLivePageShowsTheWaveAndItsNumbersAreTheAudits() throws Exception {
    assertThat(CHROMIUM).as("the browser test needs Debian's chromium and chromium-driver: apt-get install chromium"
        + " chromium-driver (.ci/run installs them)").exists();
    assertThat(CHROMEDRIVER).exists();
    ObservedWave up = ObservedWave.up();
    ChromeDriver browser = browser(up.dir);
    try {
      browser.get(up.live.url());
      Await.until("the page is connected", Duration.ofSeconds(30),
          () -> browser.findElement(By.id("status")).getText().startsWith("live"));
      ObservedWave w = ObservedWave.settled(); // with the page open: it follows the wave as it happens
      SettlementAudit.PoolRow row = w.audit.pools().get("live");
      Await.until("the page shows the settled wave", Duration.ofSeconds(30),
          () -> text(browser, "credited-amount").equals(Table.money(row.creditedCents))
              && text(browser, "wallet-total").equals(Table.money(w.audit.walletCents())));
      assertThat(text(browser, "grants-count")).isEqualTo(String.format("%,d", row.grants));
      assertThat(text(browser, "granted-amount")).isEqualTo(Table.money(row.grantedCents));
      assertThat(text(browser, "refunded-amount")).isEqualTo(Table.money(row.refundedCents));
      assertThat(text(browser, "outstanding-amount")).isEqualTo(Table.money(row.outstandingCents));
      assertThat(text(browser, "wallet-count")).isEqualTo(String.format("%,d", w.audit.wallets()));
      // The pool's row as the grants say it stands. Not "all granted": under load the client policy answers some
      // shakes on the phone, and a set may end the wave with packets left (once 394 of 400 granted, 7/8 sets empty).
      String poolRow = String.join("\t", "live", String.format("%,d", row.grants), Table.money(row.grantedCents),
          String.format("%,d", w.pool.getTotalCount() - row.grants), Table.money(w.pool.getTotalCents() - row.grantedCents),
          emptySets(w) + "/" + w.pool.getSets());
      try {
        Await.until("the page shows the pool as the grants say it stands", Duration.ofSeconds(30),
            () -> poolRow.equals(poolRowShown(browser)));
      } catch (IllegalStateException notShown) {
        assertThat(poolRowShown(browser)).as("the pool's row on the page").isEqualTo(poolRow);
      }
      @SuppressWarnings("unchecked")
      List<String> largest = (List<String>) browser.executeScript("return Array.from(document.querySelectorAll("
          + "'#largest tbody tr td:nth-child(3)')).map(td => td.innerText)");
      assertThat(largest).hasSize(10).first()
          .isEqualTo(Table.money(w.grants.stream().mapToLong(Grant::getCents).max().orElseThrow()));
      // The edge's panel: the client policy in force and the funnel, from the ingest's own counters.
      Await.until("the page shows the edge", Duration.ofSeconds(30), () -> text(browser, "users-shakes").equals("6,000"));
      assertThat(text(browser, "policy")).startsWith("client policy level ");
      long received = Long.parseLong(text(browser, "received").replace(",", ""));
      long sent = Long.parseLong(text(browser, "by-client").replace(",", ""));
      assertThat(received).as("the ingest got every shake the phones did not answer (and retries)")
          .isGreaterThanOrEqualTo(6_000 - sent);
      assertThat(Long.parseLong(text(browser, "forwarded").replace(",", ""))).isPositive();
      assertThat(text(browser, "p99")).matches("[0-9.]+");
      Path saved = Path.of("target", "live-page.png");
      Files.createDirectories(saved.getParent());
      Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), saved,
          StandardCopyOption.REPLACE_EXISTING);
      assertThat(Files.size(saved)).as("a screenshot of the page").isPositive();
    } finally {
      browser.quit();
    }
  }

  /** The tables are redrawn twice a second: a row is read in one script, not cell by cell. */
  static String poolRowShown(ChromeDriver browser) {
    return (String) browser.executeScript("return document.querySelector('#pools tbody tr').innerText");
  }

  /** The sets of the wave's pool that handed out every packet they had. */
  static long emptySets(ObservedWave w) {
    Map<Integer, Long> bySet = w.grants.stream().collect(Collectors.groupingBy(Grant::getSetId, Collectors.counting()));
    return bySet.entrySet().stream()
        .filter(e -> e.getValue() == PoolRules.setBudget(w.pool, e.getKey()).count()).count();
  }

  static String text(ChromeDriver browser, String id) {
    return (String) browser.executeScript("return document.getElementById(arguments[0]).innerText", id);
  }

  /** Headless Chromium with the flags this closed network needs (no background connections), a fresh profile. */
  static ChromeDriver browser(Path dir) throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--window-size=1400,1100", "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
        .usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }
}
