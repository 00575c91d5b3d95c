package dev.kappa.schemas.coders;

import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviderRegistrar;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Makes {@link SpecificRecordCoder} the inferred coder of every generated Avro record class, so a
 * {@code PCollection<OrderEvent>} whose coder nobody set still gets the fast coder rather than
 * failing inference. Beam finds it through {@code META-INF/services} (the bundled jar merges those
 * files).
 */
public final class SpecificRecordCoderRegistrar implements CoderProviderRegistrar {
  @Override
  public List<CoderProvider> getCoderProviders() {
    return List.of(new SpecificRecordCoderProvider());
  }

  /** Provides the coder of a concrete generated class; anything else is someone else's. */
  static final class SpecificRecordCoderProvider extends CoderProvider {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <T> Coder<T> coderFor(
        TypeDescriptor<T> typeDescriptor, List<? extends Coder<?>> componentCoders)
        throws CannotProvideCoderException {
      Class<? super T> raw = typeDescriptor.getRawType();
      if (!SpecificRecord.class.isAssignableFrom(raw)
          || raw.isInterface()
          || java.lang.reflect.Modifier.isAbstract(raw.getModifiers())) {
        throw new CannotProvideCoderException(typeDescriptor + " is not a generated Avro record");
      }
      try {
        return (Coder<T>) SpecificRecordCoder.of((Class) raw);
      } catch (RuntimeException e) {
        throw new CannotProvideCoderException(
            "SpecificRecordCoder cannot encode " + typeDescriptor + ": " + e.getMessage(), e);
      }
    }
  }
}
