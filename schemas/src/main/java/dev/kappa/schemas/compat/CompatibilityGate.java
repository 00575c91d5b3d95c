package dev.kappa.schemas.compat;

import dev.kappa.schemas.CompatibilityMode;
import dev.kappa.schemas.EventType;
import dev.kappa.schemas.SchemaVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/**
 * Checks schema version chains against a {@link CompatibilityMode}, the way a schema registry would
 * have checked each version when it was registered.
 *
 * <p>Kappa has no registry at run time: the history files are the registry, and this gate, run by
 * the tests, is its admission check. The rules are Avro's ({@link SchemaCompatibility}); this class
 * only decides which pairs to check and turns Avro's findings into sentences naming versions and
 * fields.
 *
 * <pre>{@code
 * CompatibilityReport report =
 *     CompatibilityGate.checkCandidate(EventType.ORDER_EVENT, proposedV4);
 * if (!report.isCompatible()) {
 *   throw new IllegalStateException(report.toString());
 * }
 * }</pre>
 */
public final class CompatibilityGate {
  private CompatibilityGate() {}

  /** Checks an event type's declared history against its declared mode. */
  public static CompatibilityReport check(EventType type) {
    return check(type.history(), type.compatibility());
  }

  /**
   * Checks a proposed next version of an event type: its history plus {@code candidate} as the
   * following version number, against the type's mode.
   */
  public static CompatibilityReport checkCandidate(EventType type, Schema candidate) {
    List<SchemaVersion> chain = new ArrayList<>(type.history());
    int next = chain.size() + 1;
    chain.add(SchemaVersion.of(next, candidate, "candidate v" + next));
    return check(chain, type.compatibility());
  }

  /**
   * Checks that every version in {@code chain} (oldest first) satisfies {@code mode} towards the
   * versions before it: the previous one, or all earlier ones for transitive modes.
   */
  public static CompatibilityReport check(List<SchemaVersion> chain, CompatibilityMode mode) {
    Objects.requireNonNull(mode, "mode");
    List<CompatibilityViolation> violations = new ArrayList<>();
    for (int newer = 1; newer < chain.size(); newer++) {
      int oldest = mode.isTransitive() ? 0 : newer - 1;
      for (int older = newer - 1; older >= oldest; older--) {
        SchemaVersion newVersion = chain.get(newer);
        SchemaVersion oldVersion = chain.get(older);
        if (mode.checksBackward()) {
          violations.addAll(canRead(newVersion, oldVersion));
        }
        if (mode.checksForward()) {
          violations.addAll(canRead(oldVersion, newVersion));
        }
      }
    }
    return new CompatibilityReport(subject(chain), mode, violations);
  }

  /** The violations that stop {@code reader} from reading data written with {@code writer}. */
  public static List<CompatibilityViolation> canRead(SchemaVersion reader, SchemaVersion writer) {
    List<CompatibilityViolation> violations = new ArrayList<>();
    for (Incompatibility incompatibility :
        SchemaCompatibility.checkReaderWriterCompatibility(reader.schema(), writer.schema())
            .getResult()
            .getIncompatibilities()) {
      String field = fieldPath(reader.schema(), incompatibility.getLocation());
      String reason =
          reader.label()
              + " cannot read data written by v"
              + writer.version()
              + ": "
              + explain(incompatibility, field);
      violations.add(
          new CompatibilityViolation(reader, writer, incompatibility.getType(), field, reason));
    }
    return violations;
  }

  private static String explain(Incompatibility incompatibility, String field) {
    String where = field == null ? "the record" : "field '" + field + "'";
    switch (incompatibility.getType()) {
      case READER_FIELD_MISSING_DEFAULT_VALUE:
        return where + " has no default value";
      case TYPE_MISMATCH:
        return where
            + " changed type: the reader expects "
            + describe(incompatibility.getReaderFragment())
            + " but the writer wrote "
            + describe(incompatibility.getWriterFragment());
      case MISSING_UNION_BRANCH:
        return where
            + " is a union without a branch for what the writer wrote ("
            + incompatibility.getMessage()
            + ")";
      case MISSING_ENUM_SYMBOLS:
        return where
            + " is an enum that lacks the writer's symbols "
            + incompatibility.getMessage();
      case NAME_MISMATCH:
        return where
            + " changed name: the reader expects "
            + incompatibility.getReaderFragment().getFullName()
            + " but the writer wrote "
            + incompatibility.getWriterFragment().getFullName();
      case FIXED_SIZE_MISMATCH:
        return where + " changed fixed size (" + incompatibility.getMessage() + ")";
      default:
        return where + ": " + incompatibility.getMessage();
    }
  }

  private static String describe(Schema schema) {
    switch (schema.getType()) {
      case RECORD:
      case ENUM:
      case FIXED:
        return schema.getType().getName() + " " + schema.getFullName();
      case UNION:
        return "union " + schema.getTypes();
      default:
        String name = schema.getType().getName();
        return schema.getLogicalType() == null
            ? name
            : name + " (" + schema.getLogicalType().getName() + ")";
    }
  }

  /**
   * Turns a location such as {@code /fields/2/type/fields/0/type} into field names of the reader
   * schema ({@code order.order_id}); null when the location points at the top-level record.
   */
  private static String fieldPath(Schema reader, String location) {
    List<String> names = new ArrayList<>();
    Schema current = reader;
    String[] steps = location == null ? new String[0] : location.split("/");
    for (int i = 0; i < steps.length && current != null; i++) {
      String step = steps[i];
      if (step.isEmpty() || step.equals("type")) {
        continue;
      }
      if (step.equals("fields")
          && i + 1 < steps.length
          && current.getType() == Schema.Type.RECORD) {
        int position = Integer.parseInt(steps[++i]);
        Schema.Field field = current.getFields().get(position);
        names.add(field.name());
        current = field.schema();
      } else if (step.equals("items")
          && current.getType() == Schema.Type.ARRAY
          && !names.isEmpty()) {
        names.set(names.size() - 1, names.get(names.size() - 1) + "[]");
        current = current.getElementType();
      } else if (step.equals("values")
          && current.getType() == Schema.Type.MAP
          && !names.isEmpty()) {
        names.set(names.size() - 1, names.get(names.size() - 1) + "{}");
        current = current.getValueType();
      } else {
        // Union branch indexes and enum symbols refer to the writer's side: stop at the field.
        current = null;
      }
    }
    return names.isEmpty() ? null : String.join(".", names);
  }

  private static String subject(List<SchemaVersion> chain) {
    if (chain.isEmpty()) {
      return "An empty version chain";
    }
    SchemaVersion first = chain.get(0);
    SchemaVersion last = chain.get(chain.size() - 1);
    return chain.size() == 1 ? first.label() : first.label() + "..v" + last.version();
  }
}
