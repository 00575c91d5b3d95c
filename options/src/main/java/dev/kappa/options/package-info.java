/**
 * Small, reusable PipelineOptions interfaces, combined per job (a job's options interface extends
 * the ones it needs), and {@link dev.kappa.options.OptionValues}, which turns their text into typed
 * values once, at launch, with errors that name the option.
 */
package dev.kappa.options;
