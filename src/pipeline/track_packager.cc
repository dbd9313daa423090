#include "pipeline/track_packager.h"

#include "core/log.h"

namespace onair::pipeline {

TrackPackager::TrackPackager(media::TrackInfo info, std::unique_ptr<media::CmafWriter> writer,
                             FrameGrid grid, const EventConfig& event, int64_t first_segment,
                             int64_t end_segment, std::vector<SegmentSink*> sinks,
                             Inspector* inspector, Clock* clock)
    : info_(std::move(info)),
      writer_(std::move(writer)),
      grid_(grid),
      event_(event),
      first_segment_(first_segment),
      end_segment_(end_segment),
      sinks_(std::move(sinks)),
      inspector_(inspector),
      clock_(clock) {
  info_.codecs = writer_->codec_string();
}

void TrackPackager::Start() {
  for (SegmentSink* s : sinks_) s->OnInit(info_, writer_->init_segment());
}

void TrackPackager::NoteInput(int64_t index, bool no_input) {
  std::lock_guard<std::mutex> lock(flags_mu_);
  no_input_[index] = no_input;
}

Status TrackPackager::Process(const media::Packet& packet) {
  const int64_t ts = info_.timescale;
  const int64_t index = grid_.IndexOfTicks(packet.pts(), ts);
  const int64_t segment = grid_.SegmentOf(index, event_.segment_us);
  bool no_input = false;
  {
    std::lock_guard<std::mutex> lock(flags_mu_);
    auto it = no_input_.find(index);
    if (it != no_input_.end()) no_input = it->second;
    no_input_.erase(no_input_.begin(), no_input_.upper_bound(index));
  }
  // Packets outside the published range: encoder priming, or past the requested end.
  if (segment < first_segment_ || segment >= end_segment_) return Status::Ok();
  if (open_ && segment != segment_) CloseSegment();
  if (!open_) {
    open_ = true;
    segment_ = segment;
    chunk_ = 0;
    first_index_ = index;
    frames_ = 0;
    no_input_frames_ = 0;
    bytes_ = 0;
    starts_with_key_ = packet.keyframe();
  } else {
    const int64_t chunk = grid_.ChunkOf(index, segment_, event_.segment_us, event_.chunk_us);
    if (chunk != chunk_) {
      FlushChunk();
      chunk_ = chunk;
    }
  }
  // Every sample's duration is its grid step, so the last sample of a chunk is not 0 long.
  media::Packet timed(packet);
  timed.set_duration(grid_.Ticks(index + 1, ts) - grid_.Ticks(index, ts));
  Status s = writer_->Write(timed);
  if (!s.ok()) {
    Logger("package")->error("{}: {}", info_.id, s.ToString());
    return s;
  }
  last_index_ = index;
  ++frames_;
  if (no_input) ++no_input_frames_;
  return Status::Ok();
}

void TrackPackager::FlushChunk() {
  auto chunk = writer_->Flush();
  if (!chunk.ok()) {
    Logger("package")->error("{}: {}", info_.id, chunk.status().ToString());
    return;
  }
  if (chunk->empty()) return;
  bytes_ += static_cast<int64_t>(chunk->size());
  counters_.chunks++;
  counters_.bytes += static_cast<int64_t>(chunk->size());
  for (SegmentSink* s : sinks_) s->OnChunk(info_.id, segment_, *chunk);
}

void TrackPackager::CloseSegment() {
  FlushChunk();
  open_ = false;
  const int64_t ts = info_.timescale;
  const int64_t n = segment_;
  const int64_t expected_first = grid_.FirstIndexOfSegment(n, event_.segment_us);
  const int64_t expected_end = grid_.FirstIndexOfSegment(n + 1, event_.segment_us);
  SegmentMeta meta;
  meta.rendition = info_.id;
  meta.number = n;
  meta.timescale = ts;
  meta.tfdt = grid_.Ticks(first_index_, ts);
  meta.duration = grid_.Ticks(last_index_ + 1, ts) - meta.tfdt;
  meta.frames = frames_;
  meta.bytes = bytes_;
  meta.capture_utc = event_.ast + grid_.MediaMicros(first_index_);
  meta.delay_us = clock_->Now() - (event_.ast + grid_.MediaMicros(expected_end));
  if (meta.delay_us > counters_.max_delay_us) counters_.max_delay_us = meta.delay_us;
  if (first_index_ != expected_first) meta.defects.push_back("late-start");
  if (last_index_ + 1 != expected_end) meta.defects.push_back("short");
  if (frames_ < expected_end - expected_first) meta.defects.push_back("missing-frames");
  if (info_.is_video && !starts_with_key_) meta.defects.push_back("no-idr");
  if (prev_segment_ == n - 1 && prev_end_ticks_ != meta.tfdt) meta.defects.push_back("tfdt-jump");
  if (no_input_frames_ > 0) meta.defects.push_back("no-input");
  if (inspector_) {
    for (const std::string& d : inspector_->ContentDefects(
             info_.is_video, grid_.MediaMicros(expected_first), grid_.MediaMicros(expected_end))) {
      meta.defects.push_back(d);
    }
  }
  prev_segment_ = n;
  prev_end_ticks_ = meta.tfdt + meta.duration;
  counters_.segments++;
  if (!meta.defects.empty()) counters_.defective_segments++;
  Logger("package")->debug("{} segment {}: {} frames, {} bytes{}{}", info_.id, n, frames_, bytes_,
                           meta.defects.empty() ? "" : ", defects: ", JoinDefects(meta.defects));
  for (SegmentSink* s : sinks_) s->OnSegmentEnd(meta);
}

Status TrackPackager::Flush() {
  if (open_) CloseSegment();
  return Status::Ok();
}

}  // namespace onair::pipeline
