package io.redpacket.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.SplitMode;
import io.redpacket.stack.SharedKafka;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Against the real broker: impossible pools are refused and nothing is written. */
class PoolWriterTest {
  final String bootstrap = SharedKafka.bootstrap();
  final String topic = "pools-" + UUID.randomUUID();

  PoolDefinition.Builder pool() {
    return PoolDefinition.newBuilder().setPoolId("p1").setSponsor("acme").setTotalCents(100_000).setTotalCount(100)
        .setSets(10).setMinCents(1).setMaxCents(10_000).setStartMillis(0L).setEndMillis(60_000L)
        .setSplitMode(SplitMode.LUCKY).setPerUserLimit(1).setPacing(false).setCreatedMillis(0L);
  }

  @Test
  void writesAValidPoolOnceAndRefusesImpossibleOrRepeatedOnes() {
    TopicAdmin.ensure(bootstrap, List.of(topic), List.of(topic), 1);
    assertThatThrownBy(() -> PoolWriter.create(bootstrap, topic, pool().setMinCents(2_000).build()))
        .isInstanceOf(PoolWriter.RefusedException.class)
        .hasMessageContaining("exceeds totalCents");
    assertThat(TopicReader.readAll(bootstrap, topic, true)).as("nothing written").isEmpty();

    PoolWriter.create(bootstrap, topic, pool().build());
    assertThat(PoolWriter.readPools(bootstrap, topic)).containsKey("p1");
    assertThatThrownBy(() -> PoolWriter.create(bootstrap, topic, pool().setTotalCents(200_000).build()))
        .hasMessageContaining("already exists");
    assertThat(TopicReader.readAll(bootstrap, topic, true)).hasSize(1);
    TopicAdmin.delete(bootstrap, List.of(topic));
  }
}
