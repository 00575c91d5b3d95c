package dev.kappa.schemas.compat;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import dev.kappa.schemas.CompatibilityMode;
import dev.kappa.schemas.EventType;
import dev.kappa.schemas.SchemaHistory;
import dev.kappa.schemas.SchemaVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CompatibilityGateTest {
  private static final String CANDIDATES = "avro/candidates/order_event/";

  @ParameterizedTest
  @EnumSource(EventType.class)
  void everyDeclaredChainSatisfiesItsMode(EventType type) {
    CompatibilityReport report = CompatibilityGate.check(type);

    assertThat(report.toString(), report.isCompatible(), is(true));
    assertThat(report.mode(), equalTo(type.compatibility()));
  }

  /** The codecs decode every released version into the current class: replays rely on it. */
  @ParameterizedTest
  @EnumSource(EventType.class)
  void currentVersionReadsEveryReleasedVersion(EventType type) {
    CompatibilityReport report =
        CompatibilityGate.check(type.history(), CompatibilityMode.BACKWARD_TRANSITIVE);

    assertThat(report.toString(), report.violations(), is(empty()));
  }

  @Test
  void newFieldWithoutDefaultIsRejectedAgainstEveryEarlierVersion() {
    CompatibilityReport report =
        CompatibilityGate.checkCandidate(
            EventType.ORDER_EVENT, candidate("discount_without_default"));

    assertThat(report.isCompatible(), is(false));
    assertThat(
        report.reasons(),
        contains(
            "OrderEvent v4 cannot read data written by v3: field 'discount_cents' has no default"
                + " value",
            "OrderEvent v4 cannot read data written by v2: field 'discount_cents' has no default"
                + " value",
            "OrderEvent v4 cannot read data written by v1: field 'discount_cents' has no default"
                + " value"));
    CompatibilityViolation violation = report.violations().get(0);
    assertThat(
        violation.type(), equalTo(SchemaIncompatibilityType.READER_FIELD_MISSING_DEFAULT_VALUE));
    assertThat(violation.field(), equalTo(Optional.of("discount_cents")));
    assertThat(violation.reader().version(), equalTo(4));
    assertThat(violation.writer().version(), equalTo(3));
    assertThat(
        report.toString(),
        equalTo(
            "OrderEvent v1..v4 is not BACKWARD_TRANSITIVE compatible:\n"
                + "  - OrderEvent v4 cannot read data written by v3: field 'discount_cents' has no"
                + " default value\n"
                + "  - OrderEvent v4 cannot read data written by v2: field 'discount_cents' has no"
                + " default value\n"
                + "  - OrderEvent v4 cannot read data written by v1: field 'discount_cents' has no"
                + " default value"));
  }

  @Test
  void typeChangeFromStringToIntIsRejectedAgainstEveryEarlierVersion() {
    CompatibilityReport report =
        CompatibilityGate.checkCandidate(EventType.ORDER_EVENT, candidate("customer_id_as_int"));

    assertThat(
        report.reasons(),
        contains(
            "OrderEvent v4 cannot read data written by v3: field 'customer_id' changed type: the"
                + " reader expects int but the writer wrote string",
            "OrderEvent v4 cannot read data written by v2: field 'customer_id' changed type: the"
                + " reader expects int but the writer wrote string",
            "OrderEvent v4 cannot read data written by v1: field 'customer_id' changed type: the"
                + " reader expects int but the writer wrote string"));
    assertThat(report.violations().get(0).type(), equalTo(SchemaIncompatibilityType.TYPE_MISMATCH));
  }

  @Test
  void wideningIsBackwardButNotForwardCompatible() {
    List<SchemaVersion> chain = withCandidate("quantity_as_long");
    String reason =
        "OrderEvent v3 cannot read data written by v4: field 'quantity' changed type: the reader"
            + " expects int but the writer wrote long";

    assertThat(CompatibilityGate.check(chain, CompatibilityMode.BACKWARD).isCompatible(), is(true));
    assertThat(
        CompatibilityGate.check(chain, CompatibilityMode.FORWARD).reasons(), contains(reason));
    assertThat(CompatibilityGate.check(chain, CompatibilityMode.FULL).reasons(), contains(reason));
  }

  @Test
  void newFieldWithoutDefaultIsForwardButNotBackwardCompatible() {
    List<SchemaVersion> chain = withCandidate("discount_without_default");

    assertThat(CompatibilityGate.check(chain, CompatibilityMode.FORWARD).isCompatible(), is(true));
    assertThat(
        CompatibilityGate.check(chain, CompatibilityMode.FORWARD_TRANSITIVE).isCompatible(),
        is(true));
    assertThat(CompatibilityGate.check(chain, CompatibilityMode.FULL).isCompatible(), is(false));
  }

  @Test
  void backwardTransitiveAlsoChecksNonAdjacentVersions() {
    // v2 adds weight_grams with a default, v3 drops the default: v3 reads v2 but not v1.
    List<SchemaVersion> chain = SchemaHistory.load("avro/chains/parcel");

    assertThat(CompatibilityGate.check(chain, CompatibilityMode.BACKWARD).isCompatible(), is(true));
    assertThat(
        CompatibilityGate.check(chain, CompatibilityMode.BACKWARD_TRANSITIVE).reasons(),
        contains(
            "Parcel v3 cannot read data written by v1: field 'weight_grams' has no default value"));
  }

  @Test
  void fullTransitiveAlsoChecksNonAdjacentVersions() {
    List<SchemaVersion> chain = SchemaHistory.load("avro/chains/parcel");

    assertThat(CompatibilityGate.check(chain, CompatibilityMode.FULL).isCompatible(), is(true));
    assertThat(
        CompatibilityGate.check(chain, CompatibilityMode.FULL_TRANSITIVE).reasons(),
        contains(
            "Parcel v3 cannot read data written by v1: field 'weight_grams' has no default value"));
  }

  @Test
  void forwardTransitiveChecksThatOldestReadsNewest() {
    // Reversed, the parcel chain makes weight_grams optional, then drops it: each version reads
    // the next, but v1 (where it has no default) cannot read v3 (which does not write it).
    List<SchemaVersion> parcel = SchemaHistory.load("avro/chains/parcel");
    List<SchemaVersion> reversed =
        List.of(
            SchemaVersion.of(1, parcel.get(2).schema(), "reversed v1"),
            SchemaVersion.of(2, parcel.get(1).schema(), "reversed v2"),
            SchemaVersion.of(3, parcel.get(0).schema(), "reversed v3"));

    assertThat(
        CompatibilityGate.check(reversed, CompatibilityMode.FORWARD).isCompatible(), is(true));
    assertThat(
        CompatibilityGate.check(reversed, CompatibilityMode.FORWARD_TRANSITIVE).reasons(),
        contains(
            "Parcel v1 cannot read data written by v3: field 'weight_grams' has no default value"));
  }

  @Test
  void noneAcceptsAnyChange() {
    List<SchemaVersion> chain = withCandidate("customer_id_as_int");

    CompatibilityReport report = CompatibilityGate.check(chain, CompatibilityMode.NONE);

    assertThat(report.isCompatible(), is(true));
    assertThat(report.toString(), equalTo("OrderEvent v1..v4 is NONE compatible"));
  }

  @Test
  void nestedFieldsAreNamedByTheirPath() {
    Schema writer =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"Outer\",\"fields\":[{\"name\":\"order\",\"type\":"
                    + "{\"type\":\"record\",\"name\":\"Inner\",\"fields\":"
                    + "[{\"name\":\"id\",\"type\":\"string\"}]}}]}");
    Schema reader =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"Outer\",\"fields\":[{\"name\":\"order\",\"type\":"
                    + "{\"type\":\"record\",\"name\":\"Inner\",\"fields\":"
                    + "[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"at\",\"type\":\"long\"}]}}]}");

    List<CompatibilityViolation> violations =
        CompatibilityGate.canRead(
            SchemaVersion.of(2, reader, "t"), SchemaVersion.of(1, writer, "t"));

    assertThat(
        violations.stream().map(CompatibilityViolation::reason).collect(Collectors.toList()),
        contains(
            "Outer v2 cannot read data written by v1: field 'order.id' changed type: the reader"
                + " expects long but the writer wrote string",
            "Outer v2 cannot read data written by v1: field 'order.at' has no default value"));
    assertThat(violations.get(1).field(), equalTo(Optional.of("order.at")));
  }

  @Test
  void unionThatLosesABranchNamesTheField() {
    List<SchemaVersion> chain = new ArrayList<>(EventType.ORDER_EVENT.history());
    Schema v3 = chain.get(2).schema();
    Schema narrowed =
        new Schema.Parser()
            .parse(v3.toString().replace("[\"null\",\"string\"]", "[\"null\",\"long\"]"));
    chain.add(SchemaVersion.of(4, narrowed, "narrowed"));

    List<String> reasons = CompatibilityGate.check(chain, CompatibilityMode.BACKWARD).reasons();

    assertThat(
        reasons,
        contains(
            "OrderEvent v4 cannot read data written by v3: field 'promo_code' is a union without a"
                + " branch for what the writer wrote (reader union lacking writer type: STRING)"));
  }

  @Test
  void aSingleVersionIsCompatibleWithItself() {
    CompatibilityReport report =
        CompatibilityGate.check(
            List.of(EventType.PAYMENT.latest()), CompatibilityMode.FULL_TRANSITIVE);

    assertThat(report.isCompatible(), is(true));
    assertThat(report.subject(), equalTo("Payment v1"));
  }

  private static Schema candidate(String name) {
    return SchemaHistory.parseResource(CANDIDATES + "v4_" + name + ".avsc");
  }

  private static List<SchemaVersion> withCandidate(String name) {
    List<SchemaVersion> chain = new ArrayList<>(EventType.ORDER_EVENT.history());
    chain.add(SchemaVersion.of(4, candidate(name), CANDIDATES + "v4_" + name + ".avsc"));
    return chain;
  }
}
