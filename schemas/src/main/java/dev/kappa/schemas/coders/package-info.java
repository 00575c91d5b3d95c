/**
 * Beam coders for the generated Avro types.
 *
 * <p>{@link dev.kappa.schemas.coders.SpecificRecordCoder} encodes a generated record class with
 * exactly AvroCoder's bytes at a fraction of its cost; {@link
 * dev.kappa.schemas.coders.SpecificRecordCoderRegistrar} makes it the inferred coder of those
 * classes. See docs/design/coders.md for why and the figures.
 */
package dev.kappa.schemas.coders;
