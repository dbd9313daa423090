// A rung's chain alone — scale → encode → package — fed grid slots of the test pattern, the
// packager's output recorded: segments cut at the epoch instants (segment n starts at n·D,
// its tfdt n·D in ticks, an IDR first), chunks within them, and every defect the packager
// can see. Real libx264 on small pictures; a simulated clock; no threads, no sleeping.
#include "pipeline/track_packager.h"

#include <gtest/gtest.h>

#include <mutex>

#include "media/test_pattern.h"
#include "pipeline/encode_stage.h"
#include "pipeline/scale_stage.h"

namespace onair::pipeline {
namespace {

struct RecordingSink : SegmentSink {
  void OnInit(const media::TrackInfo&, const std::string& init) override { inits.push_back(init); }
  void OnChunk(const std::string&, int64_t number, const std::string& chunk) override {
    chunks.emplace_back(number, chunk.size());
  }
  void OnSegmentEnd(const SegmentMeta& meta) override { segments.push_back(meta); }
  void OnFinish() override {}
  std::vector<std::string> inits;
  std::vector<std::pair<int64_t, size_t>> chunks;
  std::vector<SegmentMeta> segments;
};

struct Rung {
  explicit Rung(int64_t first, int64_t end) : clock(kAst + 1'000'000'000) {
    event.event = "test";
    event.ast = kAst;
    event.segment_us = 1'000'000;
    event.chunk_us = 500'000;
    event.frame_rate = {25, 1};
    RenditionConfig r;
    r.name = "v";
    r.width = 64;
    r.height = 64;
    r.bitrate = 200'000;
    r.tune = "zerolatency";
    event.ladder = {r};
    const int64_t ts = ChooseVideoTimescale(event.frame_rate, event.segment_us);
    auto made = media::Encoder::CreateVideo(r, event.frame_rate, ts, 50, 1);
    encoder = std::move(made).value();
    auto writer = media::CmafWriter::Create(*encoder, kAst);
    packager = std::make_unique<TrackPackager>(media::TrackOf(event, &event.ladder[0], ""),
                                               std::move(*writer), grid, event, first, end,
                                               std::vector<SegmentSink*>{&sink}, nullptr, &clock);
    encode = std::make_unique<EncodeStage>(
        encoder.get(), grid, event.segment_us, packager.get(),
        [this](int64_t index, bool no_input) { packager->NoteInput(index, no_input); });
    scale = std::make_unique<ScaleStage>(64, 64, encode.get());
    packager->Start();
  }
  // Slots [from, to) of the grid, the slate standing in where `slate` says.
  void Feed(int64_t from, int64_t to, const std::function<bool(int64_t)>& slate = nullptr,
            const std::function<bool(int64_t)>& skip = nullptr) {
    for (int64_t i = from; i < to; ++i) {
      if (skip && skip(i)) continue;
      const int64_t media = grid.MediaMicros(i);
      ASSERT_TRUE(
          scale->Process(Slot{pattern.Picture(i, kAst + media), i, slate && slate(i)}).ok());
    }
  }
  int64_t FirstSlot(int64_t n) const { return grid.FirstIndexOfSegment(n, event.segment_us); }

  static constexpr UtcMicros kAst = 1'795'000'000'000'000;
  SimulatedClock clock;
  EventConfig event;
  FrameGrid grid = FrameGrid::ForFrameRate({25, 1});
  media::TestPattern pattern{{320, 240, {25, 1}, 48000, 2}};
  std::unique_ptr<media::Encoder> encoder;
  RecordingSink sink;
  std::unique_ptr<TrackPackager> packager;
  std::unique_ptr<EncodeStage> encode;
  std::unique_ptr<ScaleStage> scale;
};

TEST(TrackPackager, CutsAtTheEpochInstantsWithTheirTfdt) {
  Rung rung(100, 103);
  rung.Feed(rung.FirstSlot(100), rung.FirstSlot(103));
  ASSERT_TRUE(rung.scale->Flush().ok());
  ASSERT_EQ(rung.sink.inits.size(), 1u);
  ASSERT_EQ(rung.sink.segments.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    const SegmentMeta& m = rung.sink.segments[static_cast<size_t>(k)];
    EXPECT_EQ(m.number, 100 + k);
    EXPECT_EQ(m.tfdt, rung.event.timeline().BoundaryTicks(100 + k, m.timescale));
    EXPECT_EQ(m.duration, m.timescale);  // exactly D
    EXPECT_EQ(m.frames, 25);
    EXPECT_TRUE(m.defects.empty()) << JoinDefects(m.defects);
    EXPECT_EQ(m.capture_utc, Rung::kAst + (100 + k) * 1'000'000);
  }
  // Two chunks of half a segment each, in order, every one before its segment's end.
  ASSERT_EQ(rung.sink.chunks.size(), 6u);
  for (size_t c = 0; c < 6; ++c) EXPECT_EQ(rung.sink.chunks[c].first, 100 + int64_t(c / 2));
}

TEST(TrackPackager, FlagsTheSlateMissingFramesAndPublishesOnlyItsRange) {
  Rung rung(201, 203);
  // Encoder priming before the first published segment, the slate in the second, and the
  // last frames of the third never come.
  rung.Feed(
      rung.FirstSlot(200), rung.FirstSlot(204),
      [&](int64_t i) { return i >= rung.FirstSlot(202) && i < rung.FirstSlot(202) + 5; },
      [&](int64_t i) { return i >= rung.FirstSlot(203) - 3 && i < rung.FirstSlot(203); });
  ASSERT_TRUE(rung.scale->Flush().ok());
  ASSERT_EQ(rung.sink.segments.size(), 2u) << "segments 200 and 203 are not published";
  EXPECT_TRUE(rung.sink.segments[0].defects.empty());
  const std::vector<std::string>& second = rung.sink.segments[1].defects;
  EXPECT_NE(std::find(second.begin(), second.end(), "no-input"), second.end())
      << JoinDefects(second);
  EXPECT_NE(std::find(second.begin(), second.end(), "short"), second.end()) << JoinDefects(second);
  EXPECT_EQ(rung.sink.segments[1].frames, 22);
}

TEST(Fork, EveryStageAfterItGetsEverySlot) {
  struct Counting : FrameStage {
    Status Process(const Slot&) override {
      ++slots;
      return Status::Ok();
    }
    Status Flush() override {
      ++flushes;
      return Status::Ok();
    }
    int slots = 0, flushes = 0;
  } a, b;
  Fork fork({&a, &b});
  ASSERT_TRUE(fork.Process(Slot{}).ok());
  ASSERT_TRUE(fork.Process(Slot{}).ok());
  ASSERT_TRUE(fork.Flush().ok());
  EXPECT_EQ(a.slots + b.slots, 4);
  EXPECT_EQ(a.flushes + b.flushes, 2);
}

}  // namespace
}  // namespace onair::pipeline
