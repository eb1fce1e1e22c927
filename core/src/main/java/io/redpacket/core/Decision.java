package io.redpacket.core;

import io.redpacket.avro.Grant;
import io.redpacket.avro.PoolStatus;
import io.redpacket.avro.ShakeOutcome;

/**
 * What the allocator decided for one shake: always an outcome; a grant when a packet was won;
 * a status when the set's remaining count should be published.
 */
public record Decision(ShakeOutcome outcome, Grant grant, PoolStatus status) {}
