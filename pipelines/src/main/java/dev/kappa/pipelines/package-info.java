/**
 * The {@link dev.kappa.pipelines.Launcher} behind {@code scripts/kappa}, the checks every launch
 * runs ({@link dev.kappa.pipelines.LaunchChecks}, {@link dev.kappa.pipelines.KafkaSafety}) and the
 * launcher's process handling. The jobs are in sub-packages, one class per job, on the job layer of
 * {@link dev.kappa.pipelines.job}. The only module that reads PipelineOptions: it turns them into
 * the typed values that transforms and io take.
 */
package dev.kappa.pipelines;
