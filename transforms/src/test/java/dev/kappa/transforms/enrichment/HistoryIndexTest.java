package dev.kappa.transforms.enrichment;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** {@link HistoryIndex} answers as {@link EnrichFromHistory#versionAt} does, for every policy. */
class HistoryIndexTest {
  private static final List<MissingKeyPolicy> POLICIES =
      List.of(
          MissingKeyPolicy.deadLetter(),
          MissingKeyPolicy.passThrough(),
          MissingKeyPolicy.waitUpTo(Duration.millis(40)));

  /** Keys k0..k19 with 0-6 versions each at random times in [0, 200), a fifth of them deletes. */
  private static Map<String, SortedMap<Long, String>> history(Random random) {
    Map<String, SortedMap<Long, String>> history = new HashMap<>();
    for (int key = 0; key < 20; key++) {
      SortedMap<Long, String> versions = new TreeMap<>();
      int count = random.nextInt(7);
      for (int i = 0; i < count; i++) {
        long validFrom = random.nextInt(200);
        versions.put(validFrom, random.nextInt(5) == 0 ? null : "k" + key + "@" + validFrom);
      }
      history.put("k" + key, versions);
    }
    return history;
  }

  @Test
  void answersAsTheSortedMapsDoAtEveryTimeForEveryPolicy() {
    Random random = new Random(11);
    for (int round = 0; round < 20; round++) {
      Map<String, SortedMap<Long, String>> history = history(random);
      for (MissingKeyPolicy policy : POLICIES) {
        HistoryIndex<String, String> index = new HistoryIndex<>();
        // Twice: the second pass reads the arrays built by the first.
        for (int pass = 0; pass < 2; pass++) {
          for (int key = 0; key < 22; key++) {
            for (long millis = -1; millis <= 201; millis++) {
              Instant time = new Instant(millis);
              assertThat(
                  policy + " k" + key + " at " + millis,
                  index.versionAt(history, "k" + key, time, policy),
                  equalTo(EnrichFromHistory.versionAt(history, "k" + key, time, policy)));
            }
          }
        }
      }
    }
  }

  @Test
  void startsOverForAnotherHistory() {
    MissingKeyPolicy policy = MissingKeyPolicy.deadLetter();
    SortedMap<Long, String> before = new TreeMap<>(Map.of(10L, "old"));
    SortedMap<Long, String> after = new TreeMap<>(Map.of(10L, "new"));
    HistoryIndex<String, String> index = new HistoryIndex<>();

    List<String> answers = new ArrayList<>();
    answers.add(index.versionAt(Map.of("p", before), "p", new Instant(12), policy));
    answers.add(index.versionAt(Map.of("p", after), "p", new Instant(12), policy));

    assertThat(answers, equalTo(List.of("old", "new")));
    assertThat(index.versionAt(Map.of("p", after), "p", new Instant(9), policy), nullValue());
  }
}
