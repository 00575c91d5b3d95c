/** The console: {@link dev.kappa.io.console.Console#print} prints lines to stdout for demos. */
package dev.kappa.io.console;
