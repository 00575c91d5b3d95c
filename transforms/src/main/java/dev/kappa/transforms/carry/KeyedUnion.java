package dev.kappa.transforms.carry;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.join.RawUnionValue;
import org.apache.beam.sdk.transforms.join.UnionCoder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.NameUtils;
import org.apache.beam.sdk.values.KV;

/**
 * The parts of a keyed union that carries windows: several keyed inputs in one {@code
 * PCollection<KV<key, RawUnionValue>>} in the global window, where one stateful DoFn sees all of a
 * key's elements, each input told apart by its union tag. An input whose windows the outputs must
 * keep is tagged with {@link #carryingWindow} ({@code KV<value, window>}, the window coded with its
 * strategy's window coder); one that only feeds state (a changelog) with {@link #tagged}.
 *
 * <p>Parts rather than one composite transform, so that a join built from them names each step
 * itself: the steps already in savepoints keep their full names. Each DoFn takes the name that its
 * ParDo's primitive step gets ({@code ParMultiDo(<name>)}).
 *
 * <pre>{@code
 * Coder<BoundedWindow> windowCoder = RestoreWindows.windowCoder(orders.getWindowingStrategy());
 * KvCoder<String, RawUnionValue> union =
 *     KeyedUnion.coder(StringUtf8Coder.of(), List.of(
 *         KvCoder.of(orderCoder, windowCoder), KvCoder.of(paymentCoder, windowCoder)));
 * PCollection<KV<String, RawUnionValue>> taggedOrders =
 *     orders.apply("TagOrders", ParDo.of(KeyedUnion.<String, Order>carryingWindow(0, "TagOrder")))
 *         .setCoder(union)
 *         .apply("OrdersIntoGlobalWindow", CarriedWindows.intoGlobalWindow());
 * // ... payments likewise with tag 1, then Flatten.pCollections(), a stateful DoFn, and
 * // RestoreWindows on each output.
 * }</pre>
 */
public final class KeyedUnion {
  private KeyedUnion() {}

  /**
   * Tags each element of an input with {@code unionTag} and carries its window: {@code KV<key,
   * RawUnionValue(unionTag, KV<value, window>)>}. {@code name} is the DoFn's display name.
   */
  public static <K, V> CarryWindowFn<K, V> carryingWindow(int unionTag, String name) {
    return new CarryWindowFn<>(unionTag, name);
  }

  /**
   * Tags each element with {@code unionTag}, without its window: {@code KV<key, RawUnionValue>}.
   */
  public static <K, V> TagFn<K, V> tagged(int unionTag, String name) {
    return new TagFn<>(unionTag, name);
  }

  /**
   * The coder of the union: {@code memberCoders.get(tag)} encodes the values tagged {@code tag}.
   */
  public static <K> KvCoder<K, RawUnionValue> coder(
      Coder<K> keyCoder, List<Coder<?>> memberCoders) {
    checkArgument(!memberCoders.isEmpty(), "a union needs at least one member coder");
    return KvCoder.of(keyCoder, UnionCoder.of(memberCoders));
  }

  /** Names a DoFn of the union: its ParDo's primitive step is {@code ParMultiDo(<name>)}. */
  private abstract static class NamedFn<I, O> extends DoFn<I, O> implements NameUtils.NameOverride {
    private static final long serialVersionUID = 1L;
    final int unionTag;
    private final String name;

    NamedFn(int unionTag, String name) {
      checkArgument(unionTag >= 0, "union tag must be >= 0, was %s", unionTag);
      this.unionTag = unionTag;
      this.name = checkNotNull(name, "name must be set");
    }

    @Override
    public String getNameOverride() {
      return name;
    }
  }

  /** See {@link KeyedUnion#carryingWindow}. */
  public static final class CarryWindowFn<K, V> extends NamedFn<KV<K, V>, KV<K, RawUnionValue>> {
    private static final long serialVersionUID = 1L;

    CarryWindowFn(int unionTag, String name) {
      super(unionTag, name);
    }

    @ProcessElement
    public void process(
        @Element KV<K, V> element, BoundedWindow window, OutputReceiver<KV<K, RawUnionValue>> out) {
      out.output(
          KV.of(element.getKey(), new RawUnionValue(unionTag, KV.of(element.getValue(), window))));
    }
  }

  /** See {@link KeyedUnion#tagged}. */
  public static final class TagFn<K, V> extends NamedFn<KV<K, V>, KV<K, RawUnionValue>> {
    private static final long serialVersionUID = 1L;

    TagFn(int unionTag, String name) {
      super(unionTag, name);
    }

    @ProcessElement
    public void process(@Element KV<K, V> element, OutputReceiver<KV<K, RawUnionValue>> out) {
      out.output(KV.of(element.getKey(), new RawUnionValue(unionTag, element.getValue())));
    }
  }
}
