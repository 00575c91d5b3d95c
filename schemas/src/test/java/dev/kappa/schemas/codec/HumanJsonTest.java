package dev.kappa.schemas.codec;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kappa.schemas.testing.AllTypes;
import dev.kappa.schemas.testing.Color;
import dev.kappa.schemas.testing.Samples;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** The JSON form of every Avro type, through {@link EventCodec} and the test-only AllTypes. */
class HumanJsonTest {
  private static final EventCodec<AllTypes> CODEC = EventCodec.of(AllTypes.class);

  private static final String JSON =
      "{\"flag\":true,\"count\":-7,\"total\":9000000000,\"ratio\":0.5,\"score\":\"NaN\","
          + "\"label\":\"héllo \\\"quoted\\\"\",\"blob\":\"AAEC/g==\",\"digest\":\"AQIDBA==\","
          + "\"color\":\"GREEN\",\"tags\":[\"a\",\"b\"],\"limits\":{\"daily\":100,\"monthly\":2000},"
          + "\"parts\":[{\"name\":\"lid\",\"weight\":1.5},{\"name\":\"base\",\"weight\":null}],"
          + "\"day\":\"2026-03-01\",\"at_micros\":\"2026-03-01T10:02:30.000001Z\","
          + "\"seen_at\":\"2026-03-01T10:02:30Z\",\"either\":5,\"note\":\"n\"}";

  @Test
  void writesEveryTypeInItsReadableForm() {
    assertThat(CODEC.toJson(Samples.allTypes()), equalTo(JSON));
  }

  @Test
  void readsEveryTypeFromItsReadableForm() {
    assertThat(CODEC.fromJson(JSON), equalTo(Samples.allTypes()));
  }

  @Test
  void unionsPickTheBranchByJsonKind() {
    assertThat(CODEC.fromJson(JSON).getEither(), equalTo(5L));
    assertThat(
        CODEC.fromJson(JSON.replace("\"either\":5", "\"either\":\"five\"")).getEither(),
        equalTo("five"));
    assertThat(
        CODEC.fromJson(JSON.replace("\"either\":5", "\"either\":null")).getEither(),
        is(nullValue()));
  }

  @Test
  void aValueNoUnionBranchTakesIsAnErrorListingTheBranches() {
    assertThat(
        error(JSON.replace("\"either\":5", "\"either\":2.5")),
        containsString("field 'either': expected null, long or string, got number 2.5"));
  }

  @Test
  void omittedFieldsWithDefaultsTakeThem() {
    AllTypes decoded =
        CODEC.fromJson(
            JSON.replace(",\"seen_at\":\"2026-03-01T10:02:30Z\",\"either\":5,\"note\":\"n\"", ""));

    assertThat(decoded.getSeenAt(), is(nullValue()));
    assertThat(decoded.getEither(), is(nullValue()));
    assertThat(decoded.getNote(), equalTo("none"));
  }

  @Test
  void nonFiniteDoublesAreStringsAndFiniteOnesNumbers() {
    AllTypes infinite = CODEC.fromJson(JSON.replace("\"NaN\"", "\"-Infinity\""));
    AllTypes finite = CODEC.fromJson(JSON.replace("\"NaN\"", "2"));

    assertThat(infinite.getScore(), equalTo(Double.NEGATIVE_INFINITY));
    assertThat(finite.getScore(), equalTo(2.0));
    assertThat(CODEC.toJson(finite), containsString("\"score\":2.0,"));
    assertThat(
        error(JSON.replace("\"NaN\"", "\"nan\"")),
        containsString("field 'score': expected double, got string \"nan\""));
  }

  @Test
  void datesAcceptIsoDatesOrEpochDays() {
    AllTypes epochDays = CODEC.fromJson(JSON.replace("\"2026-03-01\"", "20513"));

    assertThat(epochDays.getDay(), equalTo(LocalDate.parse("2026-03-01")));
    assertThat(
        error(JSON.replace("\"2026-03-01\"", "\"01/03/2026\"")),
        containsString(
            "field 'day': expected an ISO-8601 date (e.g. 2026-03-01) or days since 1970-01-01, got"
                + " string \"01/03/2026\""));
  }

  @Test
  void microsecondTimestampsAcceptEpochMicros() {
    long micros = Instant.parse("2026-03-01T10:02:30Z").getEpochSecond() * 1_000_000 + 1;

    AllTypes decoded =
        CODEC.fromJson(JSON.replace("\"2026-03-01T10:02:30.000001Z\"", Long.toString(micros)));

    assertThat(decoded.getAtMicros(), equalTo(Instant.parse("2026-03-01T10:02:30.000001Z")));
  }

  @Test
  void enumsAreTheirSymbols() {
    assertThat(CODEC.fromJson(JSON.replace("GREEN", "BLUE")).getColor(), equalTo(Color.BLUE));
    assertThat(
        error(JSON.replace("GREEN", "PINK")),
        containsString("field 'color': expected one of [RED, GREEN, BLUE], got string \"PINK\""));
  }

  @Test
  void fixedValuesMustHaveTheirSize() {
    assertThat(
        error(JSON.replace("AQIDBA==", "AQID")),
        containsString(
            "field 'digest': expected a base64 string of 4 bytes, got 3 bytes in string \"AQID\""));
  }

  @Test
  void bytesMustBeBase64() {
    assertThat(
        error(JSON.replace("AAEC/g==", "not base64!")),
        containsString(
            "field 'blob': expected a base64 string, got string \"not base64!\" (not base64)"));
  }

  @Test
  void errorsInArraysNameTheIndex() {
    assertThat(
        error(JSON.replace("[\"a\",\"b\"]", "[\"a\",3]")),
        containsString("field 'tags[1]': expected string, got number 3"));
    assertThat(
        error(JSON.replace("{\"name\":\"lid\",", "{")),
        containsString("field 'parts[0].name' is missing and has no default value"));
  }

  @Test
  void errorsInMapsNameTheKey() {
    assertThat(
        error(JSON.replace("\"daily\":100", "\"daily\":\"100\"")),
        containsString("field 'limits[\"daily\"]': expected long, got string \"100\""));
  }

  @Test
  void decodedCollectionsAreUsableByTheGeneratedClass() {
    AllTypes decoded = CODEC.fromJson(JSON);

    assertThat(decoded.getLimits().get("monthly"), equalTo(2000L));
    assertThat(decoded.getParts().get(0).getWeight(), equalTo(1.5));
    assertThat(decoded.getEither(), instanceOf(Long.class));
  }

  private static String error(String json) {
    return assertThrows(DecodeException.class, () -> CODEC.fromJson(json)).getMessage();
  }
}
