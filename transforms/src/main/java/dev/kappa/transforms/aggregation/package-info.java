/** Aggregations as CombineFns, so runners can combine partial results before the shuffle. */
package dev.kappa.transforms.aggregation;
