#include "pipeline/dir_sink.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/log.h"

namespace onair::pipeline {

namespace fs = std::filesystem;

std::string JoinDefects(const std::vector<std::string>& defects) {
  std::string s;
  for (const std::string& d : defects) s += (s.empty() ? "" : ",") + d;
  return s;
}

DirSink::DirSink(std::string dir, const EventConfig& event, Clock* clock)
    : dir_(std::move(dir)), event_(event), clock_(clock) {}

Status DirSink::Prepare() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return InvalidArgument("cannot create output directory '" + dir_ + "': " + ec.message());
  const std::string probe = dir_ + "/.onair-write-test";
  if (!WriteFileAtomically(probe, "ok")) {
    return InvalidArgument("output directory '" + dir_ + "' is not writable");
  }
  fs::remove(probe, ec);
  return Status::Ok();
}

bool DirSink::WriteFileAtomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      ++write_errors_;
      Logger("dirsink")->error("cannot write {} (disk full?)", tmp);
      std::error_code ec;
      fs::remove(tmp, ec);
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    ++write_errors_;
    Logger("dirsink")->error("cannot rename {}: {}", tmp, ec.message());
    return false;
  }
  return true;
}

void DirSink::OnInit(const media::TrackInfo& track, const std::string& init) {
  std::lock_guard<std::mutex> lock(mu_);
  std::error_code ec;
  fs::create_directories(dir_ + "/" + track.id, ec);
  WriteFileAtomically(dir_ + "/" + track.id + "/init.mp4", init);
  if (!tracks_.count(track.id)) order_.push_back(track.id);
  tracks_[track.id] = track;
  tracks_[track.id].segments.clear();
}

void DirSink::OnChunk(const std::string& rendition, int64_t number, const std::string& chunk) {
  std::lock_guard<std::mutex> lock(mu_);
  open_[{rendition, number}] += chunk;
}

void DirSink::OnSegmentEnd(const SegmentMeta& meta) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = open_.find({meta.rendition, meta.number});
  if (it == open_.end()) return;
  const std::string base = dir_ + "/" + meta.rendition + "/";
  const bool ok = WriteFileAtomically(base + std::to_string(meta.number) + ".m4s", it->second);
  open_.erase(it);
  nlohmann::json line = {{"number", meta.number},
                         {"tfdt", meta.tfdt},
                         {"duration", meta.duration},
                         {"timescale", meta.timescale},
                         {"frames", meta.frames},
                         {"bytes", meta.bytes},
                         {"capture_utc", FormatUtc(meta.capture_utc, true)},
                         {"delay_ms", meta.delay_us / 1000},
                         {"defects", meta.defects}};
  std::ofstream log(base + "segments.jsonl", std::ios::app);
  log << line.dump() << "\n";
  if (!ok) return;
  auto track = tracks_.find(meta.rendition);
  if (track == tracks_.end()) return;
  track->second.segments.push_back({meta.number,
                                    meta.duration * 1000000 / std::max<int64_t>(1, meta.timescale),
                                    meta.tfdt, meta.duration});
  WriteManifestsLocked(/*live=*/true);
}

void DirSink::OnFinish() {
  std::lock_guard<std::mutex> lock(mu_);
  WriteManifestsLocked(/*live=*/false);
}

void DirSink::WriteManifestsLocked(bool live) {
  media::ManifestState s;
  s.live = live;
  s.ast = event_.ast;
  s.segment_us = event_.segment_us;
  s.publish_time = clock_->Now();
  // The presentation spans the segment numbers that every track has.
  int64_t first = INT64_MIN, last = INT64_MAX;
  for (const std::string& id : order_) {
    const media::TrackInfo& t = tracks_[id];
    if (t.segments.empty()) return;
    first = std::max(first, t.segments.front().number);
    last = std::min(last, t.segments.back().number);
    s.tracks.push_back(t);
  }
  if (s.tracks.empty() || first > last) return;
  s.first_number = first;
  s.last_number = last;
  s.time_shift_buffer_us = (last - first + 1) * event_.segment_us;
  std::stable_sort(s.tracks.begin(), s.tracks.end(),
                   [](const media::TrackInfo& a, const media::TrackInfo& b) {
                     return a.is_video && !b.is_video;
                   });
  WriteFileAtomically(dir_ + "/manifest.mpd", media::WriteDashMpd(s));
  WriteFileAtomically(dir_ + "/master.m3u8", media::WriteHlsMultivariant(s));
  for (const media::TrackInfo& t : s.tracks) {
    WriteFileAtomically(dir_ + "/" + t.id + "/index.m3u8", media::WriteHlsMedia(s, t));
  }
}

}  // namespace onair::pipeline
