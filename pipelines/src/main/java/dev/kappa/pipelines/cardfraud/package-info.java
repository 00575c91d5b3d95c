/**
 * The card-fraud job ({@code kappa run card-fraud}): a velocity rule over each card's large
 * transactions ({@link dev.kappa.transforms.patterns.DetectBursts}) and a risk score per card over
 * sliding event-time windows, with the customer's home country joined as of each transaction's
 * time. See {@code docs/pipelines/card-fraud.md}.
 */
package dev.kappa.pipelines.cardfraud;
