/**
 * The order-payments job: each order matched with its payments in an event-time interval around it
 * ({@link dev.kappa.transforms.join.IntervalJoin}), paid amounts against order totals, UNPAID
 * alerts when the interval closes without a captured payment, and orphan payments.
 */
package dev.kappa.pipelines.orderpayments;
