/** Command-line tools around the pipelines: loading test events into Kafka. */
package dev.kappa.pipelines.tools;
