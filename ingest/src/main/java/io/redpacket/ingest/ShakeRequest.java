package io.redpacket.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.Map;
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
  /** Reads a body in one pass, strictly: duplicated keys and anything after the object are errors. */
  private static final ObjectMapper READER = new ObjectMapper(STRICT)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

  /**
   * The body as a JSON object, or a {@link BadRequest}: every route's body is parsed here, once, with
   * Jackson's strict duplicate detection: {@code {"a":1,"a":2}} is refused (a lenient parser keeps the
   * last, so two readers of the same body could disagree), as is any content after the object.
   */
  static JsonObject object(Buffer body) {
    if (body == null || body.length() == 0) {
      throw new BadRequest("empty_body", "the body must be a JSON object");
    }
    byte[] bytes = body.getBytes();
    try (JsonParser p = STRICT.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new BadRequest("malformed_json", "the body must be a JSON object");
      }
      return new JsonObject(READER.readValue(p, OBJECT));
    } catch (MismatchedInputException e) {
      String m = e.getOriginalMessage();
      throw new BadRequest("malformed_json", m != null && m.startsWith("Trailing token")
          ? "the body must be one JSON object, with nothing after it" : "the body must be a JSON object");
    } catch (JsonParseException e) {
      String m = e.getOriginalMessage();
      if (m != null && m.startsWith("Duplicate field")) {
        throw new BadRequest("duplicate_key", clip(m.replace("Duplicate field", "duplicated key")) + ": each key at most once");
      }
      throw new BadRequest("malformed_json", "the body must be a JSON object");
    } catch (IOException | RuntimeException e) {
      if (e instanceof BadRequest b) {
        throw b;
      }
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
