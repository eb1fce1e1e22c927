package io.redpacket.sql.format;

import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.SerializationFormatFactory;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;

/**
 * {@code 'format' = 'redpacket-avro'}: the topics' Avro single-object encoding as table rows.
 *
 * <pre>
 * CREATE TABLE ledger (entryId STRING, kind STRING, ...) WITH (
 *   'connector' = 'kafka', 'topic' = 'ledger', 'format' = 'redpacket-avro',
 *   'redpacket-avro.ignore-parse-errors' = 'true');   -- skip and count what does not decode
 * </pre>
 *
 * The record class comes from {@code redpacket-avro.record} ({@code LedgerEntry} or a full class
 * name) or else from the topic's name. Columns are matched to fields by name.
 */
public final class RedpacketAvroFormatFactory implements DeserializationFormatFactory, SerializationFormatFactory {
  public static final String IDENTIFIER = "redpacket-avro";

  public static final ConfigOption<String> RECORD = ConfigOptions.key("record").stringType().noDefaultValue()
      .withDescription("The Avro record class (simple name such as LedgerEntry, or full name); by default the one of "
          + "the table's topic.");

  public static final ConfigOption<Boolean> IGNORE_PARSE_ERRORS = ConfigOptions.key("ignore-parse-errors").booleanType()
      .defaultValue(false).withDescription("Skip records that do not decode (counted in the metric "
          + RedpacketAvroDeserializationSchema.SKIPPED_METRIC + ") instead of failing the query.");

  @Override
  public String factoryIdentifier() {
    return IDENTIFIER;
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return Set.of();
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    return Set.of(RECORD, IGNORE_PARSE_ERRORS);
  }

  @Override
  public DecodingFormat<DeserializationSchema<RowData>> createDecodingFormat(DynamicTableFactory.Context context,
      ReadableConfig options) {
    FactoryUtil.validateFactoryOptions(this, options);
    Class<? extends SpecificRecord> type = recordClass(context, options);
    boolean ignore = options.get(IGNORE_PARSE_ERRORS);
    return new DecodingFormat<>() {
      @Override
      public DeserializationSchema<RowData> createRuntimeDecoder(DynamicTableSource.Context source, DataType physical) {
        RowType row = (RowType) physical.getLogicalType();
        TypeInformation<RowData> produced = source.createTypeInformation(physical);
        RedpacketAvroDeserializationSchema schema = new RedpacketAvroDeserializationSchema(type, row, ignore, produced);
        RowMapping.of(new io.redpacket.codec.AvroCodec<>(type).schema(), row); // fail the statement on a bad column
        return schema;
      }

      @Override
      public ChangelogMode getChangelogMode() {
        return ChangelogMode.insertOnly();
      }
    };
  }

  @Override
  public EncodingFormat<SerializationSchema<RowData>> createEncodingFormat(DynamicTableFactory.Context context,
      ReadableConfig options) {
    FactoryUtil.validateFactoryOptions(this, options);
    Class<? extends SpecificRecord> type = recordClass(context, options);
    return new EncodingFormat<>() {
      @Override
      public SerializationSchema<RowData> createRuntimeEncoder(DynamicTableSink.Context sink, DataType physical) {
        return new RedpacketAvroSerializationSchema(type, (RowType) physical.getLogicalType());
      }

      @Override
      public ChangelogMode getChangelogMode() {
        return ChangelogMode.insertOnly();
      }
    };
  }

  private static Class<? extends SpecificRecord> recordClass(DynamicTableFactory.Context context, ReadableConfig options) {
    String topic = context.getCatalogTable().getOptions().get("topic");
    String name = options.getOptional(RECORD).orElseGet(() -> RecordTypes.forTopic(topic).orElseThrow(
        () -> new ValidationException("redpacket-avro: cannot tell the record of topic '" + topic + "' of table "
            + context.getObjectIdentifier().asSummaryString() + "; set 'redpacket-avro.record' (e.g. 'LedgerEntry')")));
    try {
      return RecordTypes.load(name, context.getClassLoader());
    } catch (IllegalArgumentException e) {
      throw new ValidationException("redpacket-avro: " + e.getMessage(), e);
    }
  }
}
