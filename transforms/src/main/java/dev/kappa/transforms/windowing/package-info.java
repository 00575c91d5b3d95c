/**
 * Event-time windows with their triggers: {@link dev.kappa.transforms.windowing.WindowSpec} (the
 * shape), {@link dev.kappa.transforms.windowing.Windowing} (shape, trigger, lateness and
 * accumulation as one checked value) and {@link dev.kappa.transforms.windowing.WindowEvents} (the
 * transform that applies it and diverts too-late records). {@link
 * dev.kappa.transforms.windowing.CarriedWindows} gives elements back the windows they carried
 * through a global-window step.
 */
package dev.kappa.transforms.windowing;
