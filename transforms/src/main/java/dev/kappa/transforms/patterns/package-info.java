/**
 * Event-time patterns over a key's events that do not depend on the order the events arrive in.
 *
 * <p>{@link dev.kappa.transforms.patterns.DetectBursts}: "at least N events of a key within {@code
 * [t - W, t]}", one {@link dev.kappa.transforms.patterns.Burst} per event that completes such a
 * run, emitted as soon as its evidence has arrived, the same set in a stream, a backfill and any
 * replay; state per key is dropped once the watermark has passed what a later event could still
 * need.
 */
package dev.kappa.transforms.patterns;
