/**
 * Event-time sessions whose merges retract what they replace: {@link
 * dev.kappa.transforms.sessions.RetractingSessions}.
 */
package dev.kappa.transforms.sessions;
