package dev.kappa.testing.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kappa.testing.flink.FlinkCluster.JvmSizing;
import java.util.List;
import org.junit.jupiter.api.Test;

class JvmSizingTest {

  /** What BashJavaUtils GET_TM_RESOURCE_PARAMS prints for runners-config/flink/cluster. */
  private static final String TASK_MANAGER_OUTPUT =
      String.join(
          "\n",
          "some log line",
          "BASH_JAVA_UTILS_EXEC_RESULT:-Xmx550292670 -Xms550292670"
              + " -XX:MaxDirectMemorySize=248302798 -XX:MaxMetaspaceSize=268435456",
          "BASH_JAVA_UTILS_EXEC_RESULT:-D taskmanager.memory.network.min=114085070b"
              + " -D taskmanager.cpu.cores=2.0 -D taskmanager.numberOfTaskSlots=2"
              + " -D taskmanager.memory.task.heap.size=416074942b",
          "");

  @Test
  void readsTheJvmFlagsAndTheMemorySettings() {
    JvmSizing sizing = JvmSizing.parse(TASK_MANAGER_OUTPUT, 0, "TaskManager");

    assertEquals(
        List.of(
            "-Xmx550292670",
            "-Xms550292670",
            "-XX:MaxDirectMemorySize=248302798",
            "-XX:MaxMetaspaceSize=268435456"),
        sizing.jvmArguments());
    assertEquals(
        List.of(
            "taskmanager.memory.network.min=114085070b",
            "taskmanager.cpu.cores=2.0",
            "taskmanager.numberOfTaskSlots=2",
            "taskmanager.memory.task.heap.size=416074942b"),
        sizing.dynamicProperties());
    assertEquals(2, sizing.slots());
  }

  @Test
  void failsWithTheOutputWhenTheConfigurationCannotBeSized() {
    String output = "Exception: jobmanager.memory.process.size is too small";

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> JvmSizing.parse(output, 1, "JobManager"));

    assertTrue(e.getMessage().startsWith("Cannot size the JobManager JVM"), e.getMessage());
    assertTrue(e.getMessage().endsWith(output), e.getMessage());
  }
}
