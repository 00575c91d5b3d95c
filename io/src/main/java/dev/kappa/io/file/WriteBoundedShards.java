package dev.kappa.io.file;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PDone;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes bounded input to {@code <prefix>-SSSSS-of-NNNNN<suffix>} files, as Beam's {@code
 * TextIO.write()} and {@code AvroIO.write()} do with runner-chosen sharding: each bundle writes one
 * temporary file, and once the whole input is written one step renames them into place, numbered,
 * so that the files appear only when every record is in one (an input without records gives one
 * empty file, {@code -00000-of-00001}). It does so in two stages where Beam's {@code WriteFiles}
 * takes six (its gathering of the temporary files' names through a side input, its reshuffles): in
 * a backfill those stages, each scheduled after the one before, cost seconds for a few thousand
 * results (docs/performance.md). A retried rename of the same list renames what is left and skips
 * what was moved; a re-run of the writing step (a failover that restarts it) writes new temporary
 * files, and shards an earlier attempt renamed may then stand beside the new ones, as with Beam's
 * {@code WriteFiles}: write a failed backfill's output anew into an empty directory.
 *
 * <pre>{@code
 * lines.apply("WriteShards", new WriteBoundedShards<>("/out/revenue", ".jsonl", TextIO.sink()));
 * }</pre>
 *
 * @param <T> the records written
 */
final class WriteBoundedShards<T> extends PTransform<PCollection<T>, PDone> {
  private static final long serialVersionUID = 1L;

  /** The element that makes the rename step run when no bundle wrote a file. */
  private static final String NO_FILE = "";

  private final String outputPrefix;
  private final String suffix;
  private final FileIO.Sink<T> sink;

  WriteBoundedShards(String outputPrefix, String suffix, FileIO.Sink<T> sink) {
    this.outputPrefix = WriteFlushedFiles.checkPrefix(outputPrefix);
    this.suffix = suffix;
    this.sink = sink;
  }

  @Override
  public PDone expand(PCollection<T> input) {
    if (input.isBounded() != PCollection.IsBounded.BOUNDED) {
      throw new IllegalArgumentException("WriteBoundedShards writes bounded input only");
    }
    ResourceId prefix = FileSystems.matchNewResource(outputPrefix, false);
    // Beam's file sinks put theirs under .temp-beam-<id>; this one's is its own.
    String tempDirectory =
        prefix
            .getCurrentDirectory()
            .resolve(".temp-kappa-" + UUID.randomUUID(), StandardResolveOptions.RESOLVE_DIRECTORY)
            .toString();
    PCollection<String> written =
        input
            .apply(
                "RewindowIntoGlobal",
                Window.<T>into(new GlobalWindows())
                    .triggering(DefaultTrigger.of())
                    .withAllowedLateness(Duration.ZERO)
                    .discardingFiredPanes())
            .apply("WriteTempFiles", ParDo.of(new WriteTempFilesFn<>(sink, tempDirectory)))
            .setCoder(StringUtf8Coder.of());
    PCollection<String> always =
        input
            .getPipeline()
            .apply("EnsureRenameRuns", Create.of(NO_FILE).withCoder(StringUtf8Coder.of()));
    PCollectionList.of(written)
        .and(always)
        .apply("GatherTempFiles", Flatten.pCollections())
        .apply("KeyAsOneGroup", WithKeys.of(0))
        .apply("GroupTempFiles", GroupByKey.create())
        .apply(
            "RenameIntoPlace",
            ParDo.of(new RenameIntoPlaceFn<>(outputPrefix, suffix, sink, tempDirectory)));
    return PDone.in(input.getPipeline());
  }

  /** Each bundle's records to one new temporary file, whose name it outputs at the bundle's end. */
  static final class WriteTempFilesFn<T> extends DoFn<T, String> {
    private static final long serialVersionUID = 1L;

    private final FileIO.Sink<T> sink;
    private final String tempDirectory;
    private transient @Nullable WritableByteChannel channel;
    private transient @Nullable String file;

    WriteTempFilesFn(FileIO.Sink<T> sink, String tempDirectory) {
      this.sink = sink;
      this.tempDirectory = tempDirectory;
    }

    @ProcessElement
    public void processElement(@Element T record) throws IOException {
      if (channel == null) {
        String name = UUID.randomUUID().toString();
        ResourceId temp =
            FileSystems.matchNewResource(tempDirectory, true)
                .resolve(name, StandardResolveOptions.RESOLVE_FILE);
        channel = FileSystems.create(temp, MimeTypes.BINARY);
        sink.open(channel);
        file = temp.toString();
      }
      sink.write(record);
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) throws IOException {
      WritableByteChannel open = channel;
      if (open == null) {
        return;
      }
      sink.flush();
      open.close();
      channel = null;
      context.output(file, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      file = null;
    }

    @Teardown
    public void teardown() throws IOException {
      // A failed bundle's file stays in the temporary directory, which the rename step removes.
      WritableByteChannel open = channel;
      channel = null;
      if (open != null) {
        open.close();
      }
    }
  }

  /**
   * Renames every temporary file to {@code <prefix>-SSSSS-of-NNNNN<suffix>} (one empty file if
   * there is none), then removes the temporary directory with whatever a failed attempt left in it.
   */
  static final class RenameIntoPlaceFn<T> extends DoFn<KV<Integer, Iterable<String>>, Void> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RenameIntoPlaceFn.class);

    private final String outputPrefix;
    private final String suffix;
    private final FileIO.Sink<T> sink;
    private final String tempDirectory;

    RenameIntoPlaceFn(
        String outputPrefix, String suffix, FileIO.Sink<T> sink, String tempDirectory) {
      this.outputPrefix = outputPrefix;
      this.suffix = suffix;
      this.sink = sink;
      this.tempDirectory = tempDirectory;
    }

    @ProcessElement
    public void processElement(@Element KV<Integer, Iterable<String>> written) throws IOException {
      List<String> files = new ArrayList<>();
      for (String file : written.getValue()) {
        if (!file.equals(NO_FILE)) {
          files.add(file);
        }
      }
      Collections.sort(files);
      if (files.isEmpty()) {
        try (WritableByteChannel channel = FileSystems.create(shard(0, 1), MimeTypes.BINARY)) {
          sink.open(channel);
          sink.flush();
        }
      } else {
        List<ResourceId> from = new ArrayList<>();
        List<ResourceId> to = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
          from.add(FileSystems.matchNewResource(files.get(i), false));
          to.add(shard(i, files.size()));
        }
        // A retried attempt finds the files it moved gone: skipped.
        FileSystems.rename(from, to, StandardMoveOptions.IGNORE_MISSING_FILES);
      }
      removeTempDirectory();
    }

    private ResourceId shard(int index, int count) {
      return FileSystems.matchNewResource(
          String.format(Locale.ROOT, "%s-%05d-of-%05d%s", outputPrefix, index, count, suffix),
          false);
    }

    private void removeTempDirectory() {
      ResourceId directory = FileSystems.matchNewResource(tempDirectory, true);
      try {
        List<ResourceId> left = new ArrayList<>();
        MatchResult match =
            FileSystems.match(
                directory.resolve("*", StandardResolveOptions.RESOLVE_FILE).toString());
        if (match.status() == MatchResult.Status.OK) {
          for (MatchResult.Metadata metadata : match.metadata()) {
            left.add(metadata.resourceId());
          }
        }
        FileSystems.delete(left, StandardMoveOptions.IGNORE_MISSING_FILES);
        FileSystems.delete(List.of(directory), StandardMoveOptions.IGNORE_MISSING_FILES);
      } catch (IOException e) {
        // The files are in place; as Beam's sinks, leave a directory that cannot be removed.
        LOG.warn("Could not remove the temporary directory {}: {}", tempDirectory, e.toString());
      }
    }
  }
}
