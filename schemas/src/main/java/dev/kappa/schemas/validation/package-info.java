/**
 * Domain rules that a schema cannot express (non-empty ids, positive quantities, currency codes),
 * and small domain calculations on events.
 *
 * <p>A record that decodes but breaks a rule is still bad input: pipelines send it to the dead
 * letters with the rule messages, rather than let it skew an aggregate.
 */
package dev.kappa.schemas.validation;
