// The last stage of a track (pipeline/stage.h): cuts its encoded packets into epoch-locked
// segments (segment n holds the grid slots of media time [n·D, (n+1)·D), its tfdt n·D) and
// low-latency chunks, checks each segment (duration, missing frames, tfdt continuity, IDR
// start, no input, content) and hands chunks and finished segments to the sinks. Tested
// alone, fed by a real encoder (track_packager_test.cc).
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "core/clock.h"
#include "core/epoch.h"
#include "core/event_config.h"
#include "media/cmaf_writer.h"
#include "media/manifest.h"
#include "pipeline/inspector.h"
#include "pipeline/sink.h"
#include "pipeline/stage.h"

namespace onair::pipeline {

struct TrackCounters {
  std::atomic<int64_t> segments{0};
  std::atomic<int64_t> defective_segments{0};
  std::atomic<int64_t> chunks{0};
  std::atomic<int64_t> bytes{0};
  // How long after its last instant (AST + (n+1)·D) a segment was whole, at most.
  std::atomic<int64_t> max_delay_us{0};
};

class TrackPackager final : public PacketStage {
 public:
  // Publishes segments numbered [first_segment, end_segment).
  TrackPackager(media::TrackInfo info, std::unique_ptr<media::CmafWriter> writer, FrameGrid grid,
                const EventConfig& event, int64_t first_segment, int64_t end_segment,
                std::vector<SegmentSink*> sinks, Inspector* inspector, Clock* clock);

  void Start();  // hands the init segment to the sinks
  // Remembers whether grid slot `index` was fed by the source or by the slate.
  void NoteInput(int64_t index, bool no_input);
  // A packet: into the open segment (a new one at a segment boundary).
  Status Process(const media::Packet& packet) override;
  // Closes the open segment.
  Status Flush() override;
  const TrackCounters& counters() const { return counters_; }

 private:
  void FlushChunk();
  void CloseSegment();

  media::TrackInfo info_;
  std::unique_ptr<media::CmafWriter> writer_;
  FrameGrid grid_;
  EventConfig event_;
  int64_t first_segment_, end_segment_;
  std::vector<SegmentSink*> sinks_;
  Inspector* inspector_;
  Clock* clock_;

  std::mutex flags_mu_;
  std::map<int64_t, bool> no_input_;  // by grid index, until packaged

  bool open_ = false;
  int64_t segment_ = 0, chunk_ = 0;
  int64_t first_index_ = 0, last_index_ = 0;
  int frames_ = 0, no_input_frames_ = 0;
  bool starts_with_key_ = false;
  int64_t bytes_ = 0;
  int64_t prev_segment_ = INT64_MIN, prev_end_ticks_ = 0;
  TrackCounters counters_;
};

}  // namespace onair::pipeline
