/**
 * Failures as data: records that cannot be decoded or validated become {@link
 * dev.kappa.schemas.common.DeadLetter dead letters} with their original bytes, the error and where
 * they came from ({@link dev.kappa.transforms.errors.DecodingFn}: the decoding loop of {@code
 * DecodeRecords} and {@code DecodeWithEventTimes}); {@link dev.kappa.transforms.errors.Guard} does
 * the same for an exception on one element in any per-element step, with the element's coordinates.
 * Nothing is thrown out of a step (unless it declares itself fail-fast) or logged and dropped.
 */
package dev.kappa.transforms.errors;
