/**
 * OrderRevenue: order count and revenue per product, currency and event-time window, with early,
 * on-time and late panes, too-late orders and dead letters on their own outputs.
 */
package dev.kappa.pipelines.orderrevenue;
