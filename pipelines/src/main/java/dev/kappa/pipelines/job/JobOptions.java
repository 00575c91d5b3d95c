package dev.kappa.pipelines.job;

import dev.kappa.options.BackfillOptions;
import dev.kappa.options.ConnectionOptions;
import dev.kappa.options.DeadLetterOptions;
import dev.kappa.options.JdbcOptions;
import dev.kappa.options.KafkaReadOptions;
import dev.kappa.options.KafkaWriteOptions;
import dev.kappa.options.LauncherOptions;
import dev.kappa.options.SinkOptions;
import dev.kappa.options.SourceOptions;

/**
 * The options every job of the catalogue takes, whatever it computes: its source by mode and a
 * backfill's range, Kafka in and out, where results and dead letters go, the database for result
 * tables and lookups, the launch-time connection checks and the launcher's own. A job's {@code
 * Options} extends this, the shared concerns it adds (windowing, lateness, enrichment) and its own
 * interface:
 *
 * <pre>{@code
 * public interface Options extends JobOptions, LatenessOptions, CardFraudOptions {}
 * }</pre>
 *
 * <p>It declares no option of its own, so {@code --help} lists the options under the same headings
 * as before (it groups them by the interface that declares them).
 */
public interface JobOptions
    extends SourceOptions,
        KafkaReadOptions,
        KafkaWriteOptions,
        BackfillOptions,
        DeadLetterOptions,
        SinkOptions,
        JdbcOptions,
        ConnectionOptions,
        LauncherOptions {}
