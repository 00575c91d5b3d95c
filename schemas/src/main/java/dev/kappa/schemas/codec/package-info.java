/**
 * Codecs between event records and bytes, without Beam: Avro single-object encoding for machines,
 * and one-line JSON for people.
 *
 * <p>{@link dev.kappa.schemas.codec.EventCodec} decodes bytes written with any released version of
 * an event type into the current generated class, so pipelines code against one type while sources
 * still carry old data. Every decoding failure is a {@link dev.kappa.schemas.codec.DecodeException}
 * whose message a dead-letter reader can act on.
 */
package dev.kappa.schemas.codec;
