package io.redpacket.sql.format;

import io.redpacket.codec.AvroCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.formats.avro.RowDataToAvroConverters;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.RowType;

/**
 * Table rows to Avro single-object encoding with the current schema, byte for byte what the project's
 * codec writes. Fields the table does not declare take the schema's default (a nullable one: null).
 */
public final class RedpacketAvroSerializationSchema implements SerializationSchema<RowData> {
  private static final long serialVersionUID = 1L;

  private final Class<? extends SpecificRecord> type;
  private final RowType table;
  private transient Schema schema;
  private transient RowMapping mapping;
  private transient RowData.FieldGetter[] getters;
  private transient Object[] defaults;
  private transient RowDataToAvroConverters.RowDataToAvroConverter converter;
  private transient BinaryMessageEncoder<GenericRecord> encoder;

  public RedpacketAvroSerializationSchema(Class<? extends SpecificRecord> type, RowType table) {
    this.type = type;
    this.table = table;
    init(); // fail the statement, not the first record, when a required field has no column
  }

  @Override
  public void open(InitializationContext context) {
    init();
  }

  private void init() {
    if (schema != null) {
      return;
    }
    schema = SpecificData.get().getSchema(type);
    mapping = RowMapping.of(schema, table);
    List<Schema.Field> fields = schema.getFields();
    getters = new RowData.FieldGetter[fields.size()];
    defaults = new Object[fields.size()];
    for (int c = 0; c < mapping.fieldOfColumn.length; c++) {
      getters[mapping.fieldOfColumn[c]] = RowData.createFieldGetter(table.getTypeAt(c), c);
    }
    for (int f = 0; f < fields.size(); f++) {
      if (getters[f] == null) {
        Schema.Field field = fields.get(f);
        if (!field.hasDefaultValue()) {
          throw new ValidationException("redpacket-avro: writing " + schema.getName() + " needs a column '" + field.name()
              + "' (it has no default)");
        }
        Object d = GenericData.get().getDefaultValue(field);
        defaults[f] = d instanceof CharSequence s ? StringData.fromString(s.toString()) : d;
      }
    }
    converter = RowDataToAvroConverters.createConverter(mapping.recordType);
    encoder = new BinaryMessageEncoder<>(GenericData.get(), schema);
  }

  @Override
  public byte[] serialize(RowData row) {
    init();
    GenericRowData full = new GenericRowData(getters.length);
    for (int f = 0; f < getters.length; f++) {
      full.setField(f, getters[f] != null ? getters[f].getFieldOrNull(row) : defaults[f]);
    }
    GenericRecord record = (GenericRecord) converter.convert(schema, full);
    for (Schema.Field field : schema.getFields()) {
      Schema s = field.schema();
      Object v = record.get(field.pos());
      if (s.getType() == Schema.Type.UNION) {
        s = s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElse(s);
      }
      if (v != null && s.getType() == Schema.Type.ENUM) {
        if (!s.hasEnumSymbol(v.toString())) {
          throw new IllegalArgumentException("redpacket-avro: '" + v + "' is not one of " + s.getEnumSymbols() + " for "
              + schema.getName() + "." + field.name());
        }
        record.put(field.pos(), new GenericData.EnumSymbol(s, v.toString()));
      }
    }
    try {
      ByteBuffer buffer = encoder.encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("redpacket-avro: cannot encode a " + schema.getName(), e);
    }
  }

  /** The codec that reads what this writes (tests). */
  AvroCodec<? extends SpecificRecord> codec() {
    return new AvroCodec<>(type);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RedpacketAvroSerializationSchema that && type.equals(that.type) && table.equals(that.table);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, table);
  }
}
