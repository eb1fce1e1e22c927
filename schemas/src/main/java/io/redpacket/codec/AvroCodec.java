package io.redpacket.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SystemLimitException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding (marker C3 01, the writer schema's 64-bit fingerprint, the
 * binary record) for one record type. The decoder knows every historical version of the
 * schema kept under {@code io/redpacket/avro/history/}, so records written by older
 * producers are resolved to the current class.
 *
 * <p>Serializable so Flink functions can hold one; the Avro machinery is rebuilt lazily after
 * deserialization. Encoding and decoding are thread-safe (Avro keeps per-thread buffers).
 */
public final class AvroCodec<T extends SpecificRecord> implements Serializable {
  private static final long serialVersionUID = 1L;
  /**
   * Avro's custom coders: the generated classes' own {@code customEncode}/{@code customDecode}, which write the
   * same bytes as the generic writer at a fraction of its cost (no per-field schema walk, no reflection). Set as a
   * system property for every {@link SpecificData} made later in this JVM, and on each record class's own model
   * (the one Flink's Avro serializer uses for state and shuffles too) as a codec is first used.
   */
  public static final String CUSTOM_CODERS = "org.apache.avro.specific.use_custom_coders";

  /**
   * The longest string or bytes field, and the most items of an array or map, that a record may hold (8 MiB; a
   * Kafka record is at most 1 MiB by default). Avro allocates what a length prefix announces before it reads it:
   * without a bound, a valid header followed by a length of 2 GiB takes the heap of whatever decodes it. With
   * it, such bytes are refused as an undecodable record.
   */
  public static final int MAX_LENGTH = 8 << 20;

  static {
    setIfAbsent(CUSTOM_CODERS, "true");
    setIfAbsent(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, String.valueOf(MAX_LENGTH));
    setIfAbsent(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, String.valueOf(MAX_LENGTH));
    setIfAbsent(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, String.valueOf(MAX_LENGTH));
    applyAvroLimits();
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  /**
   * Avro reads its limits once, when {@link SystemLimitException} is first loaded; if anything in this JVM decoded
   * Avro before this class was loaded, they are read again here (its package-private {@code resetLimits}).
   */
  private static void applyAvroLimits() {
    try {
      java.lang.reflect.Method reset = SystemLimitException.class.getDeclaredMethod("resetLimits");
      reset.setAccessible(true);
      reset.invoke(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("cannot apply Avro's length limits (" + e + "); set the system properties "
          + SystemLimitException.MAX_STRING_LENGTH_PROPERTY + " and " + SystemLimitException.MAX_BYTES_LENGTH_PROPERTY
          + " on the command line", e);
    }
  }

  /** A thread's buffer for encoding: one copy per record into the array returned. */
  private static final ThreadLocal<Buffer> BUFFERS = ThreadLocal.withInitial(Buffer::new);

  private final Class<T> type;
  private transient volatile BinaryMessageEncoder<T> encoder;
  private transient volatile BinaryMessageDecoder<T> decoder;

  public AvroCodec(Class<T> type) {
    this.type = type;
  }

  public Class<T> type() {
    return type;
  }

  public Schema schema() {
    return SpecificData.get().getSchema(type);
  }

  public byte[] encode(T record) {
    try {
      Buffer buffer = BUFFERS.get();
      buffer.reset();
      encoder().encode(record, buffer);
      return buffer.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
    }
  }

  /**
   * Decodes one record.
   *
   * @throws InvalidRecordException when the bytes are not a single-object-encoded record of a
   *     known version of this schema (null, truncated, wrong marker, unknown fingerprint).
   */
  public T decode(byte[] bytes) {
    if (bytes == null) {
      throw new InvalidRecordException("empty record (null value) where a " + type.getSimpleName() + " was expected");
    }
    try {
      return decoder().decode(bytes);
    } catch (IOException | RuntimeException e) {
      throw new InvalidRecordException(
          "not a " + type.getSimpleName() + " in Avro single-object encoding (" + bytes.length + " bytes): " + e.getMessage(), e);
    }
  }

  private BinaryMessageEncoder<T> encoder() {
    BinaryMessageEncoder<T> e = encoder;
    if (e == null) {
      e = new BinaryMessageEncoder<>(model(), schema());
      encoder = e;
    }
    return e;
  }

  private BinaryMessageDecoder<T> decoder() {
    BinaryMessageDecoder<T> d = decoder;
    if (d == null) {
      d = new BinaryMessageDecoder<>(model(), schema());
      for (Schema old : historicalSchemas(type)) {
        d.addSchema(old);
      }
      decoder = d;
    }
    return d;
  }

  /** The record class's own model, with custom coders on unless the system property turns them off. */
  private SpecificData model() {
    SpecificData model = SpecificData.getForClass(type);
    model.setCustomCoders(Boolean.parseBoolean(System.getProperty(CUSTOM_CODERS, "true")));
    return model;
  }

  private static final class Buffer extends java.io.ByteArrayOutputStream {
    Buffer() {
      super(512);
    }
  }

  /** Older versions of the record's schema, from {@code history/<Name>-v<N>.avsc}, oldest first. */
  public static List<Schema> historicalSchemas(Class<?> type) {
    List<Schema> result = new ArrayList<>();
    for (int version = 1; version < 100; version++) {
      String path = "/io/redpacket/avro/history/" + type.getSimpleName() + "-v" + version + ".avsc";
      try (InputStream in = AvroCodec.class.getResourceAsStream(path)) {
        if (in == null) {
          break;
        }
        result.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + path, e);
      }
    }
    return result;
  }

  /** Raised for bytes that do not decode; callers route the record to the dead-letter topic. */
  public static final class InvalidRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidRecordException(String message) {
      super(message);
    }

    public InvalidRecordException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
