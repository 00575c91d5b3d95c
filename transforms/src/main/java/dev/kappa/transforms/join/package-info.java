/**
 * Stream-stream joins: {@link dev.kappa.transforms.join.IntervalJoin} pairs each element of a keyed
 * input with the elements of a second keyed input whose event time lies in an interval around its
 * own, and reports what found no partner once the watermark has passed the interval.
 */
package dev.kappa.transforms.join;
