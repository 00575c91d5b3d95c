package dev.kappa.options;

/** A pipeline option has a value that can't be used; the message names the option. */
public final class InvalidOptionException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String option;

  public InvalidOptionException(String option, String problem) {
    this(option, problem, null);
  }

  public InvalidOptionException(String option, String problem, Throwable cause) {
    super("--" + option + ": " + problem, cause);
    this.option = option;
  }

  /** The option's name, without the leading dashes. */
  public String option() {
    return option;
  }
}
