package io.redpacket.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.Set;
import java.util.regex.Pattern;

/** The body of {@code POST /v1/shakes}, parsed strictly: known fields only, right types, bounded. */
record ShakeRequest(String shakeId, String poolId, String device) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Set<String> FIELDS = Set.of("shakeId", "poolId", "device");

  /** Raised for a body that is not a valid request; the message is the client's to read. */
  static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String code;

    BadRequest(String code, String message) {
      super(message);
      this.code = code;
    }
  }

  static ShakeRequest parse(Buffer body) {
    JsonObject json = object(body);
    for (String f : json.fieldNames()) {
      if (!FIELDS.contains(f)) {
        throw new BadRequest("unknown_field", "unknown field '" + clip(f) + "'; allowed: shakeId, poolId, device");
      }
    }
    return new ShakeRequest(id(json, "shakeId", true), id(json, "poolId", true), id(json, "device", false));
  }

  /** Refuses a key given twice in one object, at any depth: which of the two counts would be a guess. */
  private static final JsonFactory STRICT = JsonFactory.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /**
   * The body as a JSON object, or a {@link BadRequest}: every route's body is parsed here. A first
   * pass with Jackson's strict duplicate detection refuses {@code {"a":1,"a":2}} (a lenient parser
   * keeps the last, so two readers of the same body could disagree) and any content after the object.
   */
  static JsonObject object(Buffer body) {
    if (body == null || body.length() == 0) {
      throw new BadRequest("empty_body", "the body must be a JSON object");
    }
    checkStrictly(body.getBytes());
    try {
      return new JsonObject(body);
    } catch (DecodeException | IllegalStateException | ClassCastException e) {
      throw new BadRequest("malformed_json", "the body must be a JSON object");
    }
  }

  private static void checkStrictly(byte[] body) {
    try (JsonParser p = STRICT.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new BadRequest("malformed_json", "the body must be a JSON object");
      }
      p.skipChildren();
      if (p.nextToken() != null) {
        throw new BadRequest("malformed_json", "the body must be one JSON object, with nothing after it");
      }
    } catch (JsonParseException e) {
      String m = e.getOriginalMessage();
      if (m != null && m.startsWith("Duplicate field")) {
        throw new BadRequest("duplicate_key", clip(m.replace("Duplicate field", "duplicated key")) + ": each key at most once");
      }
      throw new BadRequest("malformed_json", "the body must be a JSON object");
    } catch (IOException e) {
      throw new BadRequest("malformed_json", "the body must be a JSON object");
    }
  }

  private static String id(JsonObject json, String field, boolean required) {
    Object v = json.getValue(field);
    if (v == null) {
      if (required) {
        throw new BadRequest("missing_field", "'" + field + "' is required");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      throw new BadRequest("wrong_type", "'" + field + "' must be a string");
    }
    if (!ID.matcher(s).matches()) {
      throw new BadRequest("invalid_field", "'" + field + "' must be 1-128 characters of letters, digits, '.', '_', ':' or '-'");
    }
    return s;
  }

  static String clip(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
