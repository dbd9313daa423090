// Writes an event to a local directory that any HTTP server or player can read:
// {rendition}/init.mp4, {rendition}/{n}.m4s, manifest.mpd, master.m3u8,
// {rendition}/index.m3u8 and {rendition}/segments.jsonl (one line per segment, with its
// defects). Files appear atomically (written aside, then renamed).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "core/event_config.h"
#include "pipeline/sink.h"

namespace onair::pipeline {

class DirSink final : public SegmentSink {
 public:
  DirSink(std::string dir, const EventConfig& event, Clock* clock);

  Status Prepare();  // creates the directory; fails clearly when it cannot
  void OnInit(const media::TrackInfo& track, const std::string& init) override;
  void OnChunk(const std::string& rendition, int64_t number, const std::string& chunk) override;
  void OnSegmentEnd(const SegmentMeta& meta) override;
  void OnFinish() override;

  int64_t write_errors() const { return write_errors_; }

 private:
  void WriteManifestsLocked(bool live);
  bool WriteFileAtomically(const std::string& path, const std::string& bytes);

  std::string dir_;
  EventConfig event_;
  Clock* clock_;
  std::mutex mu_;
  std::map<std::string, media::TrackInfo> tracks_;               // by rendition
  std::vector<std::string> order_;                               // renditions in ladder order
  std::map<std::pair<std::string, int64_t>, std::string> open_;  // segments in progress
  int64_t write_errors_ = 0;
};

}  // namespace onair::pipeline
