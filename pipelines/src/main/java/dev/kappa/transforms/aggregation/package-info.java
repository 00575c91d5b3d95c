/**
 * Old class names that Flink savepoints of OrderRevenue still refer to, so that they restore after
 * the classes moved: nothing here is used by a running job. The order totals now live in {@link
 * dev.kappa.pipelines.orderrevenue}.
 */
package dev.kappa.transforms.aggregation;
