/**
 * {@code kappa report <job>}: a job's results, too-late records and dead letters read back from
 * where the run wrote them (files or a PostgreSQL results table) and drawn as one self-contained
 * HTML page ({@link dev.kappa.pipelines.report.ReportCommand}), as the job's {@link
 * dev.kappa.pipelines.job.JobReport} says. Its charts ({@link dev.kappa.pipelines.report.Charts})
 * also draw {@code kappa dashboard}'s page.
 */
package dev.kappa.pipelines.report;
