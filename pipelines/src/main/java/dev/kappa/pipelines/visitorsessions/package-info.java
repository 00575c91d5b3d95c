/**
 * The visitor-sessions job: page views and orders grouped into event-time sessions per visitor,
 * whose merges retract the sessions they replace.
 */
package dev.kappa.pipelines.visitorsessions;
