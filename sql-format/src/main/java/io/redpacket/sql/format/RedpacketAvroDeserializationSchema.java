package io.redpacket.sql.format;

import io.redpacket.codec.AvroCodec;
import java.io.IOException;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.AvroToRowDataConverters;
import org.apache.flink.metrics.Counter;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * Bytes in Avro single-object encoding to table rows: the project's codec decodes by fingerprint and
 * resolves older schema versions to the current record, whose fields are then picked by column name.
 */
public final class RedpacketAvroDeserializationSchema implements DeserializationSchema<RowData> {
  private static final long serialVersionUID = 1L;

  /** Counted per subtask when ignore-parse-errors skips a record. */
  public static final String SKIPPED_METRIC = "redpacketAvroSkippedRecords";

  private final Class<? extends SpecificRecord> type;
  private final RowType table;
  private final boolean ignoreParseErrors;
  private final TypeInformation<RowData> producedType;
  private transient AvroCodec<? extends SpecificRecord> codec;
  private transient RowMapping mapping;
  private transient AvroToRowDataConverters.AvroToRowDataConverter converter;
  private transient Counter skipped;
  private transient long skippedWithoutMetrics;

  public RedpacketAvroDeserializationSchema(Class<? extends SpecificRecord> type, RowType table, boolean ignoreParseErrors,
      TypeInformation<RowData> producedType) {
    this.type = type;
    this.table = table;
    this.ignoreParseErrors = ignoreParseErrors;
    this.producedType = producedType;
  }

  @Override
  public void open(InitializationContext context) {
    init();
    if (context != null && context.getMetricGroup() != null) {
      skipped = context.getMetricGroup().counter(SKIPPED_METRIC);
    }
  }

  private void init() {
    if (codec == null) {
      codec = new AvroCodec<>(type);
      mapping = RowMapping.of(codec.schema(), table);
      converter = AvroToRowDataConverters.createRowConverter(mapping.recordType);
    }
  }

  @Override
  public RowData deserialize(byte[] message) throws IOException {
    init();
    if (message == null) {
      return null; // a tombstone: nothing to read (upsert-kafka turns it into a delete itself)
    }
    SpecificRecord record;
    try {
      record = codec.decode(message);
    } catch (AvroCodec.InvalidRecordException e) {
      if (ignoreParseErrors) {
        if (skipped != null) {
          skipped.inc();
        } else {
          skippedWithoutMetrics++;
        }
        return null;
      }
      throw new IOException("redpacket-avro: cannot read a " + type.getSimpleName() + " record (set "
          + "'redpacket-avro.ignore-parse-errors' = 'true' to skip such records): " + e.getMessage(), e);
    }
    GenericRowData full = (GenericRowData) converter.convert(record);
    GenericRowData row = new GenericRowData(mapping.fieldOfColumn.length);
    for (int i = 0; i < mapping.fieldOfColumn.length; i++) {
      row.setField(i, full.getField(mapping.fieldOfColumn[i]));
    }
    return row;
  }

  /** Records skipped so far where no metric group was given (tests). */
  long skippedWithoutMetrics() {
    return skippedWithoutMetrics;
  }

  @Override
  public boolean isEndOfStream(RowData nextElement) {
    return false;
  }

  @Override
  public TypeInformation<RowData> getProducedType() {
    return producedType;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RedpacketAvroDeserializationSchema that && type.equals(that.type) && table.equals(that.table)
        && ignoreParseErrors == that.ignoreParseErrors;
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, table, ignoreParseErrors);
  }
}
