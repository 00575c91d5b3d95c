/**
 * Operating jobs on a Flink session cluster from the command line: {@code kappa status} (jobs,
 * records and rates per operator chain, watermarks, checkpoints, restarts, the pipeline's Beam
 * metrics and its Kafka consumer lag), {@code kappa stop} (stop with a savepoint and print the
 * command that resumes from it, or cancel), {@code kappa reset-sink} (clear an exactly-once Kafka
 * sink's progress, the recovery from a known defect of Beam's sink), {@code kappa reconcile}
 * (compare two result sets of a job, {@link dev.kappa.pipelines.reconcile}), and {@code kappa
 * dashboard} (the Grafana dashboard's panels drawn from Prometheus without Grafana, {@link
 * dev.kappa.pipelines.ops.DashboardCommand}). The cluster's commands ask the JobManager's REST API
 * ({@link dev.kappa.pipelines.ops.FlinkRestClient}) and, for the lag and the sink's progress,
 * Kafka's admin API; reconcile reads result files and tables; dashboard asks Prometheus's HTTP API.
 * Nothing here runs inside a job.
 */
package dev.kappa.pipelines.ops;
