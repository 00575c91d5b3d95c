package dev.kappa.transforms.enrichment;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The envelope and commit-time helpers that the loading tools share with the decoder (the decoder
 * itself is tested in {@link DecodeChangesTest}).
 */
class DebeziumChangeDecoderTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  private static Long commitMillis(String change) throws Exception {
    return DebeziumChangeDecoder.commitMillis(DebeziumChangeDecoder.envelopeOf(json(change)));
  }

  @Test
  void theCommitTimeIsTheSourcesElseTheEnvelopes() throws Exception {
    assertThat(commitMillis("{\"op\":\"c\",\"ts_ms\":9,\"source\":{\"ts_ms\":7}}"), equalTo(7L));
    assertThat(
        commitMillis("{\"op\":\"c\",\"ts_ms\":9,\"source\":{\"table\":\"t\"}}"), equalTo(9L));
    assertThat(commitMillis("{\"op\":\"c\",\"ts_ms\":9}"), equalTo(9L));
  }

  @Test
  void aConnectWrappedChangeIsReadFromItsPayload() throws Exception {
    assertThat(
        commitMillis("{\"schema\":{},\"payload\":{\"op\":\"u\",\"source\":{\"ts_ms\":7}}}"),
        equalTo(7L));
    assertThat(commitMillis("{\"schema\":{},\"payload\":{\"op\":\"d\",\"ts_ms\":9}}"), equalTo(9L));
  }

  @Test
  void anEnvelopeWithAnOpIsNotUnwrappedEvenWithSchemaAndPayloadFields() throws Exception {
    JsonNode root = json("{\"op\":\"c\",\"schema\":1,\"payload\":{\"ts_ms\":1},\"ts_ms\":9}");

    assertThat(DebeziumChangeDecoder.envelopeOf(root), equalTo(root));
    assertThat(DebeziumChangeDecoder.commitMillis(root), equalTo(9L));
  }

  @Test
  void noIntegerTimeIsNoCommitTime() throws Exception {
    assertThat(
        commitMillis("{\"op\":\"c\",\"ts_ms\":\"9\",\"source\":{\"ts_ms\":1.5}}"), nullValue());
    assertThat(commitMillis("{\"op\":\"c\"}"), nullValue());
    assertThat(commitMillis("[1,2]"), nullValue());
  }
}
