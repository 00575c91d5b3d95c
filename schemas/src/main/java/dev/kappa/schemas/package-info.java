/**
 * The catalog of Kappa's event types and their schema history.
 *
 * <p>{@link dev.kappa.schemas.EventType} lists every event type with its generated class, the
 * classpath directory holding every released version of its schema ({@code
 * avro/history/<snake_name>/v<N>.avsc}) and the {@link dev.kappa.schemas.CompatibilityMode} new
 * versions must keep. The history is what lets a replay decode years-old bytes with today's code;
 * sub-packages hold the compatibility gate ({@code compat}), the codecs ({@code codec}) and domain
 * validation ({@code validation}). The generated Avro types live in {@code common}, {@code events}
 * and {@code results}.
 */
package dev.kappa.schemas;
