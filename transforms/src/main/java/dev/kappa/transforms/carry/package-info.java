/**
 * Carrying elements' windows through a step that must run in the global window, and back: the
 * scaffolding of a stateful join between windowed streams (a stream-table enrichment, or a
 * stream-stream join such as orders with their payments).
 *
 * <p>Stateful DoFns reject merging windows, and a join's state must outlive any event window, so
 * the join runs in the global window and each element carries its window as data:
 *
 * <ol>
 *   <li>{@link dev.kappa.transforms.carry.KeyedUnion}: tag each keyed input for a union, carrying
 *       the window where the outputs must keep it, and go {@link
 *       dev.kappa.transforms.carry.CarriedWindows#intoGlobalWindow()};
 *   <li>the stateful join, emitting {@code KV<result, carried window>};
 *   <li>{@link dev.kappa.transforms.carry.RestoreWindows}: the carried window and the input's whole
 *       windowing strategy back, through {@link dev.kappa.transforms.carry.CarriedWindows}, a
 *       WindowFn that assigns carried windows and otherwise behaves like the original one.
 * </ol>
 *
 * <p>{@link dev.kappa.transforms.carry.EmptyFirstPanes} tells a Flink quirk of windows that fire
 * after their state is gone from real panes. Used by {@code enrichment} and {@code lateness};
 * depends on neither. Why windows are not emitted from a DoFn directly: {@code
 * docs/design/late-data.md}.
 */
package dev.kappa.transforms.carry;
