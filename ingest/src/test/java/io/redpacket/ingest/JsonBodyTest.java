package io.redpacket.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** Every route's body is parsed by {@link ShakeRequest#object}: what it refuses, every route answers with a 400. */
class JsonBodyTest {
  @Test
  void aBodyWithADuplicatedKeyIsRefusedWithItsOwnCode() {
    assertThatThrownBy(() -> ShakeRequest.parse(Buffer.buffer("{\"shakeId\":\"a\",\"shakeId\":\"b\",\"poolId\":\"p\"}")))
        .isInstanceOf(ShakeRequest.BadRequest.class)
        .satisfies(e -> assertThat(((ShakeRequest.BadRequest) e).code).isEqualTo("duplicate_key"))
        .hasMessageContaining("shakeId");
    // Nested objects too, as the admin route's pool body could carry them.
    assertThatThrownBy(() -> ShakeRequest.object(Buffer.buffer("{\"a\":{\"x\":1,\"x\":2}}")))
        .isInstanceOf(ShakeRequest.BadRequest.class);
  }

  @Test
  void trailingContentAndNonObjectsAreMalformed() {
    for (String body : new String[] {"{\"shakeId\":\"a\"} {}", "[1]", "\"x\"", "{\"a\":1", "{}x"}) {
      assertThatThrownBy(() -> ShakeRequest.object(Buffer.buffer(body))).as(body)
          .isInstanceOf(ShakeRequest.BadRequest.class);
    }
  }

  @Test
  void aWellFormedBodyStillParses() {
    assertThat(ShakeRequest.parse(Buffer.buffer("{\"shakeId\":\"a\",\"poolId\":\"p\",\"device\":\"d\"}")))
        .isEqualTo(new ShakeRequest("a", "p", "d"));
  }
}
