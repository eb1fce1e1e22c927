package io.redpacket.core;

import io.redpacket.core.Audit.Check;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Every request answered, repeats alike: the first answer to each request counts, a later one that
 * differs is a violation, and so is a request with no answer at all. Shared by the settlement and
 * sharing audits, whose requests (opens; shares and claims) are answered the same way.
 *
 * @param <R> an answer
 */
final class FirstAnswers<R> {
  /** The first answer to each request, by request key. */
  final Map<String, R> first = new HashMap<>();

  private final List<String> differently = new ArrayList<>();
  private final List<String> unanswered = new ArrayList<>();
  private int requests;

  /**
   * @param key the request an answer belongs to
   * @param alike whether a repeat's answer is the first one's
   * @param name how an answer is named in the report
   * @param onFirst called once per request with its first answer
   */
  static <R> FirstAnswers<R> of(List<R> answers, Function<R, String> key, BiPredicate<R, R> alike,
      Function<R, String> name, Consumer<R> onFirst) {
    FirstAnswers<R> f = new FirstAnswers<>();
    for (R r : answers) {
      R before = f.first.putIfAbsent(key.apply(r), r);
      if (before == null) {
        onFirst.accept(r);
      } else if (!alike.test(before, r)) {
        f.differently.add(name.apply(before) + " then " + name.apply(r));
      }
    }
    return f;
  }

  /** Lists the requests that have no answer. */
  <Q> FirstAnswers<R> requests(List<Q> all, Function<Q, String> key, Function<Q, String> name) {
    requests += all.size();
    for (Q q : all) {
      if (!first.containsKey(key.apply(q))) {
        unanswered.add(name.apply(q));
      }
    }
    return this;
  }

  Check check(String invariant, String what, String requestsNamed) {
    return new Check(invariant, what, unanswered.size() + differently.size(),
        Check.samples(unanswered.isEmpty() ? differently : unanswered,
            String.format("%,d %s, %,d distinct", requests, requestsNamed, first.size())));
  }
}
