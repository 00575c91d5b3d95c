package dev.kappa.io.jdbc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which failures are retried. */
class SqlErrorsTest {

  @ParameterizedTest
  @ValueSource(strings = {"08001", "08006", "53300", "57P01", "57P03", "40001", "40P01"})
  void connectionResourceShutdownAndConcurrencyStatesAreTransient(String state) {
    assertTrue(SqlErrors.isTransient(new SQLException("failed", state)), state);
  }

  @ParameterizedTest
  @ValueSource(strings = {"23505", "23514", "22001", "22P02", "42P01", "42703", "40002"})
  void dataAndSchemaStatesArePermanent(String state) {
    assertFalse(SqlErrors.isTransient(new SQLException("failed", state)), state);
  }

  @Test
  void aRefusedConnectionAnywhereInTheCausesIsTransient() {
    SQLException wrapped =
        new SQLException("could not connect", null, new ConnectException("refused"));

    assertTrue(SqlErrors.isTransient(wrapped));
    assertTrue(SqlErrors.isTransient(new RuntimeException(wrapped)));
  }

  @Test
  void aBatchFailureIsJudgedByItsNextExceptionsToo() {
    BatchUpdateException batch = new BatchUpdateException("batch entry 3 failed", null, new int[0]);
    batch.setNextException(new SQLException("terminating connection", "57P01"));

    assertTrue(SqlErrors.isTransient(batch));
  }

  @Test
  void aCauseCycleEnds() {
    SQLException first = new SQLException("first", "23505");
    SQLException second = new SQLException("second", "23505");
    first.setNextException(second);
    second.setNextException(first);

    assertFalse(SqlErrors.isTransient(first));
  }
}
