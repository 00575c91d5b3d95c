/**
 * Test fixtures: sample records of every generated type, and {@code AllTypes}, a test-only
 * generated record (from {@code src/test/avro}) with one field of every Avro type the JSON codec
 * supports.
 */
package dev.kappa.schemas.testing;
