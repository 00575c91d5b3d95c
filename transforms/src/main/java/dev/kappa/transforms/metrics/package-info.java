/**
 * Pipeline metrics that the runners do not give on their own: how many records a job emits per
 * output and how far behind event time they are when emitted. Exported like every Beam metric (on
 * Flink, through its metric reporters such as Prometheus).
 */
package dev.kappa.transforms.metrics;
