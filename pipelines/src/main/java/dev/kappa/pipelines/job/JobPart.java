package dev.kappa.pipelines.job;

/**
 * Something a job reads or writes, declared once as a constant of the job and listed in {@link
 * KappaJob#parts()}: the job layer parses its options at launch, and {@link JobContext} applies it
 * when the job builds.
 *
 * @param <O> the options of the jobs that use it
 */
public sealed interface JobPart<O> permits Events, Table, Output, ResultTable {}
