/**
 * {@code kappa reconcile}'s comparison of two result sets of a job: reading them ({@link
 * dev.kappa.pipelines.reconcile.ResultSource}), comparing them key by key and explaining their
 * differences by too-late records ({@link dev.kappa.pipelines.reconcile.Reconciler}), and the
 * report as text and as a page ({@link dev.kappa.pipelines.reconcile.ReconcileReport}). What a job
 * compares is its {@link dev.kappa.pipelines.job.Reconciliation}.
 */
package dev.kappa.pipelines.reconcile;
