/**
 * The jobs, one class per job, and the {@link dev.kappa.pipelines.Launcher} behind {@code
 * scripts/kappa}. The only module that reads PipelineOptions: it turns them into the typed values
 * that transforms and io take.
 */
package dev.kappa.pipelines;
