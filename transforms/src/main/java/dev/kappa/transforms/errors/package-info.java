/**
 * Failures as data: records that cannot be decoded or validated become {@link
 * dev.kappa.schemas.common.DeadLetter dead letters} with their original bytes, the error and where
 * they came from. Nothing is thrown out of a step or logged and dropped.
 */
package dev.kappa.transforms.errors;
