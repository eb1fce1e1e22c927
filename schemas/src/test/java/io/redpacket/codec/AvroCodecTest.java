package io.redpacket.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.avro.DeadLetter;
import io.redpacket.avro.Grant;
import io.redpacket.avro.OutcomeCode;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.PoolStatus;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.avro.SplitMode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class AvroCodecTest {

  static PoolDefinition pool() {
    return PoolDefinition.newBuilder().setPoolId("p1").setSponsor("acme").setTotalCents(100_000_000L)
        .setTotalCount(100_000).setSets(50).setMinCents(1).setMaxCents(20_000).setStartMillis(1_000L)
        .setEndMillis(2_000L).setSplitMode(SplitMode.LUCKY).setPerUserLimit(1).setPacing(true)
        .setCreatedMillis(500L).build();
  }

  static Shake shake() {
    return Shake.newBuilder().setShakeId("s-1").setUserId("u-1").setPoolId("p1").setSetId(7)
        .setTimestamp(1_234L).setDevice("ios").build();
  }

  static Grant grant() {
    return Grant.newBuilder().setGrantId("p1/7/1").setShakeId("s-1").setUserId("u-1").setPoolId("p1")
        .setSetId(7).setCents(1234L).setSequence(1L).setTimestamp(1_234L).build();
  }

  static List<SpecificRecord> oneOfEach() {
    return List.of(
        pool(),
        shake(),
        ShakeOutcome.newBuilder().setShakeId("s-1").setUserId("u-1").setPoolId("p1").setSetId(7)
            .setOutcome(OutcomeCode.WON).setGrantId("p1/7/1").setCents(1234L).setReason(null)
            .setDuplicate(false).setTimestamp(1_234L).build(),
        grant(),
        PoolStatus.newBuilder().setPoolId("p1").setSetId(7).setSets(50).setRemainingCount(1999L)
            .setRemainingCents(1_998_766L).setGrantedCount(1L).setGrantedCents(1234L).setExhausted(false)
            .setTimestamp(1_234L).build(),
        DeadLetter.newBuilder().setJob("allocation").setSourceTopic("shakes").setPartition(3).setOffset(42L)
            .setKey(ByteBuffer.wrap(new byte[] {1, 2})).setValue(ByteBuffer.wrap(new byte[] {3}))
            .setError("bad").setTimestamp(9L).build());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  @Test
  void everySchemaRoundTripsInSingleObjectEncoding() {
    for (SpecificRecord record : oneOfEach()) {
      AvroCodec codec = new AvroCodec(record.getClass());
      byte[] bytes = codec.encode(record);
      // Single-object encoding: marker C3 01, then the writer schema's 64-bit fingerprint.
      assertThat(bytes[0]).isEqualTo((byte) 0xC3);
      assertThat(bytes[1]).isEqualTo((byte) 0x01);
      long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      assertThat(fingerprint).isEqualTo(SchemaNormalization.parsingFingerprint64(record.getSchema()));
      assertThat(codec.decode(bytes)).isEqualTo(record);
      // Encoding is a pure function of the record: replays give byte-identical output.
      assertThat(codec.encode(codec.decode(bytes))).isEqualTo(bytes);
    }
  }

  @Test
  void poolWrittenWithVersion1IsReadByTheCurrentSchema() throws IOException {
    PoolDefinition read = Codecs.POOL.decode(writtenByVersion1(pool(), "pacing"));
    assertThat(read.getPoolId()).isEqualTo("p1");
    assertThat(read.getTotalCents()).isEqualTo(100_000_000L);
    assertThat(read.getSplitMode()).isEqualTo(SplitMode.LUCKY);
    assertThat(read.getPacing()).as("default of the field added in v2").isFalse();
  }

  @Test
  void shakeWrittenWithVersion1IsReadByTheCurrentSchema() throws IOException {
    Schema v1 = AvroCodec.historicalSchemas(Shake.class).get(0);
    GenericRecord old = new GenericData.Record(v1);
    old.put("shakeId", "s-9");
    old.put("userId", "u-9");
    old.put("poolId", "p1");
    old.put("setId", 3);
    old.put("timestamp", 77L);
    Shake read = Codecs.SHAKE.decode(singleObject(v1, old));
    assertThat(read.getShakeId()).isEqualTo("s-9");
    assertThat(read.getSetId()).isEqualTo(3);
    assertThat(read.getTimestamp()).isEqualTo(77L);
    assertThat(read.getDevice()).isNull();
  }

  @Test
  void everyHistoricalSchemaIsCompatibleWithItsCurrentVersion() {
    int checked = 0;
    for (Class<?> type : List.of(PoolDefinition.class, Shake.class, ShakeOutcome.class, Grant.class,
        PoolStatus.class, DeadLetter.class, io.redpacket.avro.Open.class, io.redpacket.avro.OpenResult.class,
        io.redpacket.avro.LedgerEntry.class, io.redpacket.avro.Wallet.class, io.redpacket.avro.GrantState.class,
        io.redpacket.avro.ShareRequest.class, io.redpacket.avro.ShareResult.class, io.redpacket.avro.ShareGrant.class,
        io.redpacket.avro.ShareState.class)) {
      Schema current = SpecificData.get().getSchema(type);
      for (Schema old : AvroCodec.historicalSchemas(type)) {
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, old).getType())
            .as(type.getSimpleName() + " reads " + old.getDoc())
            .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        checked++;
      }
    }
    assertThat(checked).as("historical schemas found on the classpath").isEqualTo(7);
  }

  @Test
  void aVersionOneGrantIsReadWithoutASponsor() throws Exception {
    Grant g = grant();
    Grant read = Codecs.GRANT.decode(writtenByVersion1(g, "sponsor"));
    assertThat(read.getGrantId()).isEqualTo(g.getGrantId());
    assertThat(read.getCents()).isEqualTo(g.getCents());
    assertThat(read.getSponsor()).isNull();
  }

  @Test
  void undecodableBytesGiveAClearError() {
    byte[] good = Codecs.SHAKE.encode(shake());
    for (byte[] bad : List.of(new byte[0], new byte[] {1, 2, 3}, Arrays.copyOf(good, good.length - 3),
        "{\"shakeId\":\"x\"}".getBytes(), Codecs.GRANT.encode(grant()))) {
      assertThatThrownBy(() -> Codecs.SHAKE.decode(bad))
          .isInstanceOf(AvroCodec.InvalidRecordException.class)
          .hasMessageContaining("Shake");
    }
    assertThatThrownBy(() -> Codecs.SHAKE.decode(null)).isInstanceOf(AvroCodec.InvalidRecordException.class);
  }

  @Test
  void aHeaderFollowedByAnAbsurdLengthIsRefusedBeforeAnythingIsAllocated() {
    byte[] good = Codecs.SHAKE.encode(shake());
    // The header of a valid shake, then the first field's (a string's) length as a zig-zag varint.
    for (long length : List.of(Integer.MAX_VALUE - 9L, 1L << 40, 100_000_000L)) {
      byte[] bad = Arrays.copyOf(good, 10 + 10);
      int n = 10;
      long zigzag = length << 1;
      while ((zigzag & ~0x7FL) != 0) {
        bad[n++] = (byte) ((zigzag & 0x7F) | 0x80);
        zigzag >>>= 7;
      }
      bad[n++] = (byte) zigzag;
      byte[] record = Arrays.copyOf(bad, n);
      assertThatThrownBy(() -> Codecs.SHAKE.decode(record))
          .isInstanceOf(AvroCodec.InvalidRecordException.class)
          .hasMessageContaining(length > Integer.MAX_VALUE ? "longer than" : "exceeds maximum allowed");
    }
  }

  /**
   * {@code current} as its type's first schema wrote it, which had no field {@code addedLater}: the
   * fields v1 knows, copied (enums as v1's symbols), in single-object encoding.
   */
  private static byte[] writtenByVersion1(SpecificRecord current, String addedLater) throws IOException {
    Schema v1 = AvroCodec.historicalSchemas(current.getClass()).get(0);
    assertThat(v1.getField(addedLater)).isNull();
    GenericRecord old = new GenericData.Record(v1);
    for (Schema.Field f : v1.getFields()) {
      Object value = current.get(current.getSchema().getField(f.name()).pos());
      old.put(f.name(), value instanceof Enum<?> ? new GenericData.EnumSymbol(f.schema(), value.toString()) : value);
    }
    return singleObject(v1, old);
  }

  private static byte[] singleObject(Schema schema, GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0xC3, 0x01});
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(SchemaNormalization.parsingFingerprint64(schema)).array());
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
