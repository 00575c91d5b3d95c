/**
 * Event-time windows with their triggers: {@link dev.kappa.transforms.windowing.WindowSpec} (the
 * shape), {@link dev.kappa.transforms.windowing.Windowing} (shape, trigger, lateness and
 * accumulation as one checked value) and {@link dev.kappa.transforms.windowing.WindowEvents} (the
 * transform that applies it and diverts too-late records). Depends on {@code lateness}, never the
 * other way round.
 */
package dev.kappa.transforms.windowing;
