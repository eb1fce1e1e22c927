package io.redpacket.sql.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.avro.EntryKind;
import io.redpacket.avro.Grant;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.codec.AvroCodec;
import io.redpacket.codec.Codecs;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;

/** The format's schemas on their own: rows to bytes and back, old versions, bad bytes. */
class RedpacketAvroFormatTest {
  static final RowType LEDGER_ROW = (RowType) DataTypes.ROW(
      DataTypes.FIELD("entryId", DataTypes.STRING()), DataTypes.FIELD("kind", DataTypes.STRING()),
      DataTypes.FIELD("grantId", DataTypes.STRING()), DataTypes.FIELD("poolId", DataTypes.STRING()),
      DataTypes.FIELD("userId", DataTypes.STRING()), DataTypes.FIELD("debitAccount", DataTypes.STRING()),
      DataTypes.FIELD("debitCents", DataTypes.BIGINT()), DataTypes.FIELD("creditAccount", DataTypes.STRING()),
      DataTypes.FIELD("creditCents", DataTypes.BIGINT()), DataTypes.FIELD("timestamp", DataTypes.BIGINT()))
      .getLogicalType();

  static LedgerEntry entry() {
    return LedgerEntry.newBuilder().setEntryId("p/0/1/credit").setKind(EntryKind.CREDIT).setGrantId("p/0/1").setPoolId("p")
        .setUserId("u1").setDebitAccount("pool:p").setDebitCents(125).setCreditAccount("wallet:u1").setCreditCents(125)
        .setTimestamp(1_700_000_000_000L).build();
  }

  static RedpacketAvroDeserializationSchema reader(Class<? extends org.apache.avro.specific.SpecificRecord> type, RowType row,
      boolean ignore) {
    return new RedpacketAvroDeserializationSchema(type, row, ignore, null);
  }

  @Test
  void writesWhatTheCodecWritesAndReadsItBack() throws IOException {
    byte[] bytes = Codecs.LEDGER.encode(entry());
    RowData row = reader(LedgerEntry.class, LEDGER_ROW, false).deserialize(bytes);
    assertThat(row.getString(1).toString()).isEqualTo("CREDIT");
    assertThat(row.getLong(6)).isEqualTo(125);
    byte[] again = new RedpacketAvroSerializationSchema(LedgerEntry.class, LEDGER_ROW).serialize(row);
    assertThat(again).isEqualTo(bytes);
  }

  @Test
  void readsColumnsByNameInAnyOrderAndSubset() throws IOException {
    RowType two = (RowType) DataTypes.ROW(DataTypes.FIELD("creditCents", DataTypes.BIGINT()),
        DataTypes.FIELD("entryId", DataTypes.STRING())).getLogicalType();
    RowData row = reader(LedgerEntry.class, two, false).deserialize(Codecs.LEDGER.encode(entry()));
    assertThat(row.getLong(0)).isEqualTo(125);
    assertThat(row.getString(1).toString()).isEqualTo("p/0/1/credit");
  }

  @Test
  void resolvesAnOldVersionToTheCurrentSchema() throws IOException {
    Schema v1 = AvroCodec.historicalSchemas(Grant.class).get(0);
    GenericRecord old = new GenericData.Record(v1);
    old.put("grantId", "p/0/1");
    old.put("shakeId", "s1");
    old.put("userId", "u1");
    old.put("poolId", "p");
    old.put("setId", 0);
    old.put("cents", 300L);
    old.put("sequence", 1L);
    old.put("timestamp", 5L);
    ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    RowType row = (RowType) DataTypes.ROW(DataTypes.FIELD("grantId", DataTypes.STRING()),
        DataTypes.FIELD("cents", DataTypes.BIGINT()), DataTypes.FIELD("sponsor", DataTypes.STRING()),
        DataTypes.FIELD("shareCents", DataTypes.BIGINT())).getLogicalType();
    RowData r = reader(Grant.class, row, false).deserialize(bytes);
    assertThat(r.getString(0).toString()).isEqualTo("p/0/1");
    assertThat(r.getLong(1)).isEqualTo(300);
    assertThat(r.isNullAt(2)).isTrue();
    assertThat(r.getLong(3)).isZero();
  }

  @Test
  void skipsAndCountsOrFailsOnBadBytes() throws IOException {
    byte[] garbage = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    RedpacketAvroDeserializationSchema lenient = reader(LedgerEntry.class, LEDGER_ROW, true);
    assertThat(lenient.deserialize(garbage)).isNull();
    assertThat(lenient.deserialize("plain text".getBytes())).isNull();
    assertThat(lenient.skippedWithoutMetrics()).isEqualTo(2);
    assertThatThrownBy(() -> reader(LedgerEntry.class, LEDGER_ROW, false).deserialize(garbage))
        .isInstanceOf(IOException.class).hasMessageContaining("ignore-parse-errors");
  }

  @Test
  void refusesUnknownColumnsWrongTypesAndMissingRequiredFields() {
    RowType typo = (RowType) DataTypes.ROW(DataTypes.FIELD("cent", DataTypes.BIGINT())).getLogicalType();
    assertThatThrownBy(() -> RowMapping.of(Codecs.GRANT.schema(), typo)).isInstanceOf(ValidationException.class)
        .hasMessageContaining("'cent'");
    RowType wrong = (RowType) DataTypes.ROW(DataTypes.FIELD("cents", DataTypes.STRING())).getLogicalType();
    assertThatThrownBy(() -> RowMapping.of(Codecs.GRANT.schema(), wrong)).isInstanceOf(ValidationException.class)
        .hasMessageContaining("BIGINT");
    RowType partial = (RowType) DataTypes.ROW(DataTypes.FIELD("entryId", DataTypes.STRING())).getLogicalType();
    assertThatThrownBy(() -> new RedpacketAvroSerializationSchema(LedgerEntry.class, partial))
        .isInstanceOf(ValidationException.class).hasMessageContaining("needs a column");
  }

  @Test
  void writesDefaultsForUndeclaredFieldsAndRefusesUnknownEnumSymbols() {
    RowType row = (RowType) DataTypes.ROW(DataTypes.FIELD("grantId", DataTypes.STRING()),
        DataTypes.FIELD("shakeId", DataTypes.STRING()), DataTypes.FIELD("userId", DataTypes.STRING()),
        DataTypes.FIELD("poolId", DataTypes.STRING()), DataTypes.FIELD("setId", DataTypes.INT()),
        DataTypes.FIELD("cents", DataTypes.BIGINT()), DataTypes.FIELD("sequence", DataTypes.BIGINT()),
        DataTypes.FIELD("timestamp", DataTypes.BIGINT())).getLogicalType();
    GenericRowData g = GenericRowData.of(StringData.fromString("p/0/1"), StringData.fromString("s"),
        StringData.fromString("u"), StringData.fromString("p"), 0, 10L, 1L, 2L);
    Grant grant = Codecs.GRANT.decode(new RedpacketAvroSerializationSchema(Grant.class, row).serialize(g));
    assertThat(grant.getSponsor()).isNull();
    assertThat(grant.getShareCents()).isZero();
    GenericRowData bad = GenericRowData.of(StringData.fromString("e"), StringData.fromString("PAYDAY"), null, null, null,
        null, 1L, null, 1L, 1L);
    for (int i : new int[] {2, 3, 4, 5, 7}) {
      bad.setField(i, StringData.fromString("x"));
    }
    assertThatThrownBy(() -> new RedpacketAvroSerializationSchema(LedgerEntry.class, LEDGER_ROW).serialize(bad))
        .hasMessageContaining("PAYDAY");
  }

  @Test
  void knowsTheRecordOfEveryTopicUnderAnyPrefix() {
    assertThat(RecordTypes.forTopic("ledger")).contains(LedgerEntry.class.getName());
    assertThat(RecordTypes.forTopic("demo-17.share-grants")).contains("io.redpacket.avro.ShareGrant");
    assertThat(RecordTypes.forTopic("t1-grants")).contains(Grant.class.getName());
    assertThat(RecordTypes.forTopic("mygrants")).isEmpty();
    for (String topic : io.redpacket.codec.Topics.ALL) {
      assertThat(RecordTypes.forTopic(topic)).as(topic).isPresent();
    }
  }
}
