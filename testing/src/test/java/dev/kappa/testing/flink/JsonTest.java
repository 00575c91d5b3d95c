package dev.kappa.testing.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void readsFlinksOverview() {
    Map<String, Object> overview =
        Json.parseObject(
            "{\"taskmanagers\":2,\"slots-total\":4,\"slots-available\":3,\"jobs-running\":1,"
                + "\"flink-version\":\"1.19.0\",\"flink-commit\":\"eaffd22\"}");

    assertEquals(2L, overview.get("taskmanagers"));
    assertEquals(4L, overview.get("slots-total"));
    assertEquals("1.19.0", overview.get("flink-version"));
  }

  @Test
  void readsNestedArraysAndObjects() {
    Map<String, Object> jobs =
        Json.parseObject(
            "{ \"jobs\" : [ {\"jid\":\"a1\",\"duration\":-1,\"tasks\":{\"total\":112}} ,"
                + " {\"jid\":\"b2\",\"ratio\":0.5e1} ] }");

    List<?> list = (List<?>) jobs.get("jobs");
    assertEquals(2, list.size());
    assertEquals(Map.of("jid", "a1", "duration", -1L, "tasks", Map.of("total", 112L)), list.get(0));
    assertEquals(5.0, ((Map<?, ?>) list.get(1)).get("ratio"));
  }

  @Test
  void readsEscapesAndLiterals() {
    assertEquals(
        Arrays.asList("a\"b\\c\nd\u00e9", true, false, null),
        Json.parse("[\"a\\\"b\\\\c\\nd\\u00e9\", true, false, null]"));
  }

  @Test
  void rejectsWhatIsNotJson() {
    for (String bad : new String[] {"", "{", "{\"a\":}", "[1,]", "{\"a\":1} x", "tru", "\"open"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
      assertTrue(e.getMessage().startsWith("Malformed JSON at offset"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> Json.parseObject("[1]"));
  }
}
