package io.redpacket.sql.format;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.flink.formats.avro.typeutils.AvroSchemaConverter;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * How a table's columns meet a record's fields: by name, in any order, any subset on read. Checked
 * once when the table is used, so a misspelt column or a wrong type fails the statement, not a record.
 */
final class RowMapping implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The record's fields as Flink sees them, in the schema's order. */
  final RowType recordType;

  /** For each table column, the position of its field in the record. */
  final int[] fieldOfColumn;

  private RowMapping(RowType recordType, int[] fieldOfColumn) {
    this.recordType = recordType;
    this.fieldOfColumn = fieldOfColumn;
  }

  static RowType recordType(Schema schema) {
    return (RowType) AvroSchemaConverter.convertToDataType(schema.toString()).getLogicalType();
  }

  static RowMapping of(Schema schema, RowType table) {
    RowType record = recordType(schema);
    List<String> names = record.getFieldNames();
    int[] fields = new int[table.getFieldCount()];
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      String column = table.getFieldNames().get(i);
      int f = names.indexOf(column);
      if (f < 0) {
        problems.add("column '" + column + "' is not a field of " + schema.getName() + " (fields: " + names + ")");
        continue;
      }
      LogicalType want = table.getTypeAt(i);
      LogicalType have = record.getTypeAt(f);
      if (want.getTypeRoot() != have.getTypeRoot()) {
        problems.add("column '" + column + "' is " + want.asSummaryString() + " but " + schema.getName() + "." + column
            + " is " + have.copy(true).asSummaryString());
      }
      fields[i] = f;
    }
    if (!problems.isEmpty()) {
      throw new ValidationException("redpacket-avro: " + String.join("; ", problems));
    }
    return new RowMapping(record, fields);
  }
}
