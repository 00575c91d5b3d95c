/**
 * The schema compatibility gate: checks a version chain of an event schema against its {@link
 * dev.kappa.schemas.CompatibilityMode} with Avro's own resolution rules ({@link
 * org.apache.avro.SchemaCompatibility}), and explains each violation in terms of versions and
 * fields.
 *
 * <p>Tests run the gate over every declared history, so an incompatible schema change fails the
 * build instead of a running pipeline.
 */
package dev.kappa.schemas.compat;
