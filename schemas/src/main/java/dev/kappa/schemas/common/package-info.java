/**
 * Generated Avro types shared by every pipeline: where a record came from ({@code SourcePosition}),
 * an undecoded record ({@code SourceRecord}), a record that failed ({@code DeadLetter}) and why a
 * record was too late ({@code MissedWindow}).
 *
 * <p>The classes are generated from {@code src/main/avro/current/common}; edit the schemas, not the
 * generated code.
 */
package dev.kappa.schemas.common;
