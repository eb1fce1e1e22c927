package io.redpacket.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Amounts and counts as the HTTP API's {@code amount} fields and the tables show them. */
class TableTest {

  @Test
  void amountsAndCountsLookTheSameWhateverTheDefaultLocale() {
    Locale before = Locale.getDefault();
    try {
      for (Locale l : new Locale[] {Locale.US, Locale.GERMANY, Locale.FRANCE, Locale.forLanguageTag("hi-IN"),
          Locale.forLanguageTag("ar-EG")}) {
        Locale.setDefault(l);
        assertThat(Table.money(1234)).as(l.toString()).isEqualTo("12.34");
        assertThat(Table.money(123_456_789)).as(l.toString()).isEqualTo("1,234,567.89");
        assertThat(Table.count(1_000_000)).as(l.toString()).isEqualTo("1,000,000");
      }
    } finally {
      Locale.setDefault(before);
    }
  }

  @Test
  void everyAmountFromNothingToTheLongestIsWrittenInFull() {
    assertThat(Table.money(0)).isEqualTo("0.00");
    assertThat(Table.money(5)).isEqualTo("0.05");
    assertThat(Table.money(-5)).isEqualTo("-0.05");
    assertThat(Table.money(-100)).isEqualTo("-1.00");
    assertThat(Table.money(-123_456)).isEqualTo("-1,234.56");
    assertThat(Table.money(100_000)).isEqualTo("1,000.00");
    assertThat(Table.money(99_999)).isEqualTo("999.99");
    assertThat(Table.money(Long.MAX_VALUE)).isEqualTo("92,233,720,368,547,758.07");
    assertThat(Table.money(Long.MIN_VALUE)).isEqualTo("-92,233,720,368,547,758.08");
    assertThat(Table.count(0)).isEqualTo("0");
    assertThat(Table.count(999)).isEqualTo("999");
    assertThat(Table.count(-1_234)).isEqualTo("-1,234");
    assertThat(Table.count(Long.MIN_VALUE)).isEqualTo("-9,223,372,036,854,775,808");
  }
}
