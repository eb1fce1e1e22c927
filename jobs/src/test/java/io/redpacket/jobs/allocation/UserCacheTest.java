package io.redpacket.jobs.allocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.core.UserRecord;
import org.junit.jupiter.api.Test;

class UserCacheTest {
  @Test
  void keepsAtMostItsCapacityAndLetsTheLeastRecentlyUsedGo() {
    UserCache cache = new UserCache(2);
    UserRecord alice = new UserRecord();
    UserRecord bob = new UserRecord();
    cache.put("p1/0", "alice", alice);
    cache.put("p1/0", "bob", bob);
    assertThat(cache.get("p1/0", "alice")).isSameAs(alice); // alice is now the most recently used
    cache.put("p1/0", "carol", new UserRecord());
    assertThat(cache.size()).isEqualTo(2);
    assertThat(cache.get("p1/0", "bob")).isNull();
    assertThat(cache.get("p1/0", "alice")).isSameAs(alice);
  }

  @Test
  void aUsersRecordsInTwoSetsAreTwoEntriesAndDroppingASetKeepsTheOther() {
    UserCache cache = new UserCache(10);
    UserRecord inP1 = new UserRecord();
    UserRecord inP2 = new UserRecord();
    cache.put("p1/0", "alice", inP1);
    cache.put("p2/3", "alice", inP2);
    assertThat(cache.get("p1/0", "alice")).isSameAs(inP1);
    assertThat(cache.get("p2/3", "alice")).isSameAs(inP2);
    cache.dropSet("p1/0");
    assertThat(cache.get("p1/0", "alice")).isNull();
    assertThat(cache.get("p2/3", "alice")).isSameAs(inP2);
  }

  @Test
  void aUserInManyPoolsCountsEachRecordAgainstTheCapacity() {
    UserCache cache = new UserCache(3);
    UserRecord a1 = new UserRecord();
    cache.put("p1/0", "alice", a1);
    cache.put("p2/0", "alice", new UserRecord());
    cache.put("p1/0", "bob", new UserRecord());
    assertThat(cache.size()).isEqualTo(3);
    cache.put("p1/0", "alice", a1); // the same record again: no new entry
    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.get("p1/0", "bob")).isNotNull(); // bob is now the most recently used
    cache.put("p3/0", "carol", new UserRecord()); // alice, the least recently used, leaves with both her records
    assertThat(cache.size()).isEqualTo(2);
    assertThat(cache.get("p1/0", "alice")).isNull();
    assertThat(cache.get("p2/0", "alice")).isNull();
    assertThat(cache.get("p1/0", "bob")).isNotNull();
  }

  @Test
  void setsAreComparedByContentNotByInstance() {
    UserCache cache = new UserCache(10);
    UserRecord r = new UserRecord();
    cache.put(new String("p1/0"), "alice", r);
    assertThat(cache.get(new String("p1/0"), new String("alice"))).isSameAs(r);
    cache.dropSet(new String("p1/0"));
    assertThat(cache.get("p1/0", "alice")).isNull();
    assertThat(cache.size()).isZero();
  }

  @Test
  void usersUsedSinceTheyCameOutlastThoseNotUsed() {
    UserCache cache = new UserCache(100);
    for (int i = 0; i < 100; i++) {
      cache.put("p1/0", "u" + i, new UserRecord());
    }
    for (int i = 0; i < 100; i += 2) {
      assertThat(cache.get("p1/0", "u" + i)).isNotNull(); // the winners who shake again
    }
    for (int i = 100; i < 150; i++) {
      cache.put("p1/0", "u" + i, new UserRecord());
    }
    assertThat(cache.size()).isEqualTo(100);
    for (int i = 0; i < 100; i++) {
      boolean used = i % 2 == 0;
      assertThat(cache.get("p1/0", "u" + i) != null).as("u%d kept", i).isEqualTo(used);
    }
  }

  @Test
  void refusesACapacityBelowOne() {
    assertThatThrownBy(() -> new UserCache(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }
}
