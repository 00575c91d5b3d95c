/**
 * Generated Avro types of the domain events pipelines read: orders, payments, page views, card
 * transactions, and the product and customer change streams.
 *
 * <p>The classes are generated from {@code src/main/avro/current/events}. Every released version of
 * each schema is kept under {@code src/main/avro/history}; change a schema only together with a new
 * history version that passes {@link dev.kappa.schemas.compat.CompatibilityGate}.
 */
package dev.kappa.schemas.events;
