/**
 * Late data that is never lost: records later than the allowed lateness leave through their own
 * output, with the window they missed and by how much, and are counted in a metric. Independent of
 * {@code windowing}, which applies it; the live windows travel with {@code carry}.
 */
package dev.kappa.transforms.lateness;
