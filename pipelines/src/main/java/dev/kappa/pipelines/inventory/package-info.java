/**
 * The inventory job: stock levels per product from the inventory table's change stream and the
 * orders, applied per product in event-time order ({@link
 * dev.kappa.transforms.ordered.OrderedByEventTime}), with an OVERSOLD alert for each order that
 * takes a level below zero. See {@code docs/pipelines/inventory.md}.
 */
package dev.kappa.pipelines.inventory;
