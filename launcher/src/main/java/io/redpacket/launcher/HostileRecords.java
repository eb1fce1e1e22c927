package io.redpacket.launcher;

import io.redpacket.avro.Open;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareRequest;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Keys;
import io.redpacket.core.StableHash;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The catalogue of bad records an upstream system could write to the pipeline's input topics
 * ({@code pools}, {@code shakes}, {@code opens}, {@code shares}, {@code share-claims}), each with
 * what the pipeline must do with it: a dead letter whose reason says why, an ordinary answer (an
 * unknown pool, grant or share is answered, not dead-lettered), or, for a Kafka time stamp the
 * broker does not take, a refusal at the door. Deterministic for a seed and a clock reading.
 */
final class HostileRecords {
  /** What must become of a hostile record. */
  enum Expect {
    /** A record on {@code dead-letters} for it, whose reason contains {@link Hostile#expected}. */
    DEAD_LETTER,
    /** An answer on the job's answer topic for the id {@link Hostile#answerId}, with the code {@link Hostile#expected}. */
    ANSWER,
    /** The broker refuses the record when it is written (or, if it takes it, a dead letter as above). */
    REFUSED_OR_DEAD_LETTER
  }

  /**
   * One bad record. {@code topic} is the input topic's plain name; {@code kafkaTimestamp} null lets
   * the producer stamp it now.
   */
  record Hostile(String name, String topic, byte[] key, byte[] value, Long kafkaTimestamp, Expect expect,
      String expected, String answerId) {
    static Hostile dead(String name, String topic, byte[] key, byte[] value, Long kafkaTimestamp, String reason) {
      return new Hostile(name, topic, key, value, kafkaTimestamp, Expect.DEAD_LETTER, reason, null);
    }

    @Override
    public String toString() {
      return name + " on " + topic;
    }
  }

  static final long YEAR = 365L * 86_400_000L;
  static final String HUGE = "x".repeat(10 * 1024);
  static final String[] INPUTS = {Topics.POOLS, Topics.SHAKES, Topics.OPENS, Topics.SHARES, Topics.SHARE_CLAIMS};

  private HostileRecords() {}

  /**
   * Every bad kind on every input topic. {@code pool} is the wave's pool (redefined here with other
   * terms); {@code now} the clock reading the time stamps are relative to.
   */
  static List<Hostile> catalogue(PoolDefinition pool, long now, long seed) {
    Random random = new Random(seed);
    List<Hostile> out = new ArrayList<>();
    for (String topic : INPUTS) {
      byte[] valid = validBytes(topic, pool, now);
      String type = typeOf(topic);
      byte[] key = utf8("hostile-" + topic);
      byte[] noise = new byte[64];
      random.nextBytes(noise);
      noise[0] = 0x17; // never the single-object marker
      out.add(Hostile.dead("random bytes", topic, key, noise, null, "not a " + type));
      out.add(Hostile.dead("empty value", topic, key, new byte[0], null, "not a " + type));
      out.add(Hostile.dead("null value (a tombstone)", topic, utf8("tombstone-" + topic), null, null, "null value"));
      out.add(Hostile.dead("truncated Avro", topic, key, Arrays.copyOf(valid, valid.length / 2), null, "not a " + type));
      // The marker and a known fingerprint (10 bytes), then a first string whose length is absurd.
      out.add(Hostile.dead("known fingerprint, length 2^31-9", topic, key, withLength(valid, Integer.MAX_VALUE - 8L), null,
          "not a " + type));
      out.add(Hostile.dead("known fingerprint, length 2^62", topic, key, withLength(valid, 1L << 62), null, "not a " + type));
      out.add(Hostile.dead("known fingerprint, negative length", topic, key, withLength(valid, -5L), null, "not a " + type));
      byte[] unknownFingerprint = valid.clone();
      unknownFingerprint[2] ^= (byte) 0xFF;
      out.add(Hostile.dead("unknown fingerprint", topic, key, unknownFingerprint, null, "not a " + type));
      out.add(Hostile.dead("a valid record of another schema", topic, key, Codecs.DEAD_LETTER.encode(
          io.redpacket.avro.DeadLetter.newBuilder().setJob("x").setSourceTopic("x").setPartition(0).setOffset(0)
              .setError("x").setTimestamp(now).build()), null, "not a " + type));
    }
    shakes(out, pool, now);
    opens(out, pool, now);
    shareRequests(out, Topics.SHARES, ShareAction.SHARE, now);
    shareRequests(out, Topics.SHARE_CLAIMS, ShareAction.CLAIM, now);
    pools(out, pool, now);
    return out;
  }

  private static void shakes(List<Hostile> out, PoolDefinition pool, long now) {
    String t = Topics.SHAKES;
    out.add(shake("shake id of 10 KB", shakeOf(pool, "x", HUGE, "h-user-1", now), null, "shakeId must be"));
    out.add(shake("user id of 10 KB", shakeOf(pool, "h-big-user", "h-s-2", HUGE, now), null, "userId must be"));
    out.add(shake("pool id of 10 KB", Shake.newBuilder(shakeOf(pool, "x", "h-s-3", "h-user-3", now)).setPoolId(HUGE)
        .setSetId(0).build(), null, "poolId must be"));
    out.add(shake("device of 10 KB", Shake.newBuilder(shakeOf(pool, "x", "h-s-4", "h-user-4", now)).setDevice(HUGE).build(),
        null, "device is longer"));
    out.add(shake("negative set", Shake.newBuilder(shakeOf(pool, "x", "h-s-5", "h-user-5", now)).setSetId(-1).build(), null,
        "setId must be"));
    out.add(shake("absurd set", Shake.newBuilder(shakeOf(pool, "x", "h-s-6", "h-user-6", now)).setSetId(Integer.MAX_VALUE)
        .build(), null, "setId must be"));
    out.add(shake("time stamp 10 years ahead", shakeOf(pool, "x", "h-s-7", "h-user-7", now + 10 * YEAR), now, "ahead"));
    out.add(shake("time stamp before 1970", shakeOf(pool, "x", "h-s-8", "h-user-8", -86_400_000L), now, "before"));
    out.add(shake("time stamp 0", shakeOf(pool, "x", "h-s-9", "h-user-9", 0L), now, "before"));
    out.add(shake("Kafka time stamp 1970", shakeOf(pool, "x", "h-s-10", "h-user-10", now), 0L, "Kafka time stamp"));
    Shake ahead = shakeOf(pool, "x", "h-s-11", "h-user-11", now + 10 * YEAR);
    out.add(new Hostile("Kafka time stamp and field 10 years ahead", t, key(ahead), Codecs.SHAKE.encode(ahead),
        now + 10 * YEAR, Expect.REFUSED_OR_DEAD_LETTER, "ahead", null));
    // Valid, but for a pool nobody defined: answered UNKNOWN_POOL once the wait for its definition ends.
    for (int i = 0; i < 3; i++) {
      Shake s = Shake.newBuilder().setShakeId("h-unknown-pool-" + i).setUserId("h-user-up-" + i).setPoolId("no-such-pool")
          .setSetId(0).setTimestamp(now).setDevice(null).build();
      out.add(new Hostile("shake of an unknown pool", t, key(s), Codecs.SHAKE.encode(s), now, Expect.ANSWER, "UNKNOWN_POOL",
          s.getShakeId()));
    }
  }

  private static void opens(List<Hostile> out, PoolDefinition pool, long now) {
    String t = Topics.OPENS;
    String grant = pool.getPoolId() + "/0/1";
    out.add(open("open id of 10 KB", Open.newBuilder().setOpenId(HUGE).setGrantId(grant).setUserId("u").setTimestamp(now)
        .build(), now, "openId must be"));
    out.add(open("grant id of 10 KB", Open.newBuilder().setOpenId("h-o-2").setGrantId(HUGE).setUserId("u").setTimestamp(now)
        .build(), now, "grantId must be"));
    out.add(open("user id of 10 KB", Open.newBuilder().setOpenId("h-o-3").setGrantId(grant).setUserId(HUGE).setTimestamp(now)
        .build(), now, "userId must be"));
    out.add(open("time stamp 10 years ahead", Open.newBuilder().setOpenId("h-o-4").setGrantId(grant).setUserId("u")
        .setTimestamp(now + 10 * YEAR).build(), now, "ahead"));
    out.add(open("time stamp before 1970", Open.newBuilder().setOpenId("h-o-5").setGrantId(grant).setUserId("u")
        .setTimestamp(-1L).build(), now, "positive"));
    out.add(open("Kafka time stamp 1970", Open.newBuilder().setOpenId("h-o-6").setGrantId(grant).setUserId("u")
        .setTimestamp(now).build(), 0L, "Kafka time stamp"));
    // Valid opens of grants that never come: answered UNKNOWN_GRANT after the wait, 70 of them on one
    // grant (more than the 64 that may wait per key: the rest are answered at once).
    for (int i = 0; i < 70; i++) {
      Open o = Open.newBuilder().setOpenId("h-unknown-grant-" + i).setGrantId("no-such-pool/0/" + (i < 66 ? 7 : i))
          .setUserId("h-flooder").setTimestamp(now).build();
      out.add(new Hostile("open of an unknown grant", t, utf8(o.getGrantId()), Codecs.OPEN.encode(o), now, Expect.ANSWER,
          "UNKNOWN_GRANT", o.getOpenId()));
    }
  }

  private static void shareRequests(List<Hostile> out, String topic, ShareAction action, long now) {
    String p = topic.equals(Topics.SHARES) ? "h-share-" : "h-claim-";
    ShareAction other = action == ShareAction.SHARE ? ShareAction.CLAIM : ShareAction.SHARE;
    out.add(request(topic, "request id of 10 KB", request(HUGE, "no-such-pool/0/1", "u", action, now), now, "requestId must be"));
    out.add(request(topic, "share id of 10 KB", request(p + "2", HUGE, "u", action, now), now, "shareId must be"));
    out.add(request(topic, "user id of 10 KB", request(p + "3", "no-such-pool/0/1", HUGE, action, now), now, "userId must be"));
    out.add(request(topic, "the other topic's action", request(p + "4", "no-such-pool/0/1", "u", other, now), now,
        "on the " + action + " topic"));
    out.add(request(topic, "time stamp 10 years ahead", request(p + "5", "no-such-pool/0/1", "u", action, now + 10 * YEAR),
        now, "ahead"));
    out.add(request(topic, "time stamp before 1970", request(p + "6", "no-such-pool/0/1", "u", action, -1L), now, "positive"));
    out.add(request(topic, "Kafka time stamp 1970", request(p + "7", "no-such-pool/0/1", "u", action, now), 0L,
        "Kafka time stamp"));
    // Valid requests for a share that never comes: a share of a grant never opened, a claim of an unknown share.
    for (int i = 0; i < 3; i++) {
      ShareRequest r = request(p + "unknown-" + i, "no-such-pool/1/" + i, "h-user-sh-" + i, action, now);
      out.add(new Hostile(action == ShareAction.SHARE ? "share of an unknown grant" : "claim of an unknown share", topic,
          utf8(r.getShareId()), Codecs.SHARE_REQUEST.encode(r), now, Expect.ANSWER,
          action == ShareAction.SHARE ? "NOT_OPENED" : "UNKNOWN_SHARE", r.getRequestId()));
    }
  }

  private static void pools(List<Hostile> out, PoolDefinition pool, long now) {
    out.add(pool("negative budget", PoolDefinition.newBuilder(pool).setPoolId("h-negative").setTotalCents(-100).build(),
        "totalCents must be"));
    out.add(pool("absurd budget", PoolDefinition.newBuilder(pool).setPoolId("h-absurd").setTotalCents(Long.MAX_VALUE)
        .setMaxCents(Long.MAX_VALUE).build(), "totalCents must be"));
    out.add(pool("negative packet", PoolDefinition.newBuilder(pool).setPoolId("h-negative-min").setMinCents(-5).build(),
        "minCents must be"));
    out.add(pool("pool id of 10 KB", PoolDefinition.newBuilder(pool).setPoolId(HUGE).build(), "poolId must be"));
    out.add(pool("sponsor of 10 KB", PoolDefinition.newBuilder(pool).setPoolId("h-big-sponsor").setSponsor(HUGE).build(),
        "sponsor must be"));
    out.add(pool("absurd sets", PoolDefinition.newBuilder(pool).setPoolId("h-sets").setSets(Integer.MAX_VALUE).build(),
        "sets must be"));
    // The wave's own pool, defined again with twice the budget: the first definition stands.
    PoolDefinition again = PoolDefinition.newBuilder(pool).setTotalCents(pool.getTotalCents() * 2)
        .setMaxCents(pool.getMaxCents() * 2).setCreatedMillis(now).build();
    out.add(pool("the wave's pool redefined", again, "already defined with other terms"));
  }

  private static Hostile shake(String name, Shake s, Long kafkaTimestamp, String reason) {
    return Hostile.dead(name, Topics.SHAKES, key(s), Codecs.SHAKE.encode(s), kafkaTimestamp, reason);
  }

  private static Hostile open(String name, Open o, Long kafkaTimestamp, String reason) {
    return Hostile.dead(name, Topics.OPENS, utf8(o.getGrantId()), Codecs.OPEN.encode(o), kafkaTimestamp, reason);
  }

  private static Hostile request(String topic, String name, ShareRequest r, Long kafkaTimestamp, String reason) {
    return Hostile.dead(name, topic, utf8(r.getShareId()), Codecs.SHARE_REQUEST.encode(r), kafkaTimestamp, reason);
  }

  private static Hostile pool(String name, PoolDefinition p, String reason) {
    return Hostile.dead(name, Topics.POOLS, utf8(p.getPoolId()), Codecs.POOL.encode(p), null, reason);
  }

  private static ShareRequest request(String id, String shareId, String user, ShareAction action, long at) {
    return ShareRequest.newBuilder().setRequestId(id).setShareId(shareId).setUserId(user).setAction(action).setTimestamp(at)
        .build();
  }

  /** A shake of the wave's pool by {@code user}, in the user's own set ({@code shakeId} {@code "x"} takes {@code fallback}). */
  private static Shake shakeOf(PoolDefinition pool, String shakeId, String fallback, String user, long at) {
    String id = shakeId.equals("x") ? fallback : shakeId;
    int set = user.length() > 1000 ? 0 : StableHash.setOf(user, pool.getSets());
    return Shake.newBuilder().setShakeId(id).setUserId(user).setPoolId(pool.getPoolId()).setSetId(set).setTimestamp(at)
        .setDevice(null).build();
  }

  private static byte[] key(Shake s) {
    return utf8(s.getPoolId().length() > 1000 ? "huge/0" : Keys.set(s.getPoolId(), Math.max(0, s.getSetId())));
  }

  /** A valid record of the topic's type: the source of the truncated and absurd-length ones. */
  private static byte[] validBytes(String topic, PoolDefinition pool, long now) {
    return switch (topic) {
      case Topics.POOLS -> Codecs.POOL.encode(pool);
      case Topics.SHAKES -> Codecs.SHAKE.encode(shakeOf(pool, "h-valid", "", "h-valid-user", now));
      case Topics.OPENS -> Codecs.OPEN.encode(Open.newBuilder().setOpenId("h-valid").setGrantId("g").setUserId("u")
          .setTimestamp(now).build());
      default -> Codecs.SHARE_REQUEST.encode(request("h-valid", "s", "u",
          topic.equals(Topics.SHARES) ? ShareAction.SHARE : ShareAction.CLAIM, now));
    };
  }

  private static String typeOf(String topic) {
    return switch (topic) {
      case Topics.POOLS -> "PoolDefinition";
      case Topics.SHAKES -> "Shake";
      case Topics.OPENS -> "Open";
      default -> "ShareRequest";
    };
  }

  /** The 10-byte header (marker and fingerprint) of {@code valid}, then a string length of {@code length} and a few bytes. */
  static byte[] withLength(byte[] valid, long length) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(valid, 0, 10);
    long zigzag = (length << 1) ^ (length >> 63);
    while ((zigzag & ~0x7FL) != 0) {
      b.write((int) ((zigzag & 0x7F) | 0x80));
      zigzag >>>= 7;
    }
    b.write((int) zigzag);
    b.writeBytes("abc".getBytes(StandardCharsets.UTF_8));
    return b.toByteArray();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
