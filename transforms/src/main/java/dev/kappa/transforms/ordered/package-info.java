/**
 * Per-key processing in event-time order, whatever the arrival order: {@link
 * dev.kappa.transforms.ordered.OrderedByEventTime} buffers each key's events in state, releases
 * them in event-time order (with a stated tie rule) once the watermark has passed them, applies a
 * state function to each, and diverts events that arrive too late to be put in order. Running state
 * (a stock level, a balance) then comes out the same in a stream and in a backfill.
 */
package dev.kappa.transforms.ordered;
