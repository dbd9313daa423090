#include "origin/segment_check.h"

#include "core/epoch.h"
#include "media/bmff.h"
#include "media/fmp4.h"

namespace onair::origin {

InitInfo CheckInit(const std::string& bytes) {
  InitInfo info;
  std::vector<media::bmff::Box> top;
  if (!media::bmff::Children(bytes, 0, bytes.size(), &top)) {
    info.problem = "a box does not fit in the bytes";
    return info;
  }
  if (top.empty() || !top[0].Is("ftyp")) {
    info.problem = "does not start with ftyp";
    return info;
  }
  auto track = media::ReadInit(bytes);  // the reader the player uses
  if (!track.ok()) {
    info.problem = track.status().message();
    return info;
  }
  info.timescale = track->timescale;
  info.valid = true;
  return info;
}

std::vector<std::string> CheckMediaSegment(const std::string& bytes, uint32_t timescale, int64_t n,
                                           int64_t segment_us) {
  // Read as the player reads it, whole: every chunk (moof + mdat) must parse, nothing left.
  media::ChunkReader reader({timescale, 0});
  std::vector<media::Chunk> chunks;
  if (!reader.Push(bytes, &chunks).ok() || reader.pending_bytes() != 0 || chunks.empty()) {
    return {"corrupt"};
  }
  if (timescale > 0 && n >= 0) {
    // The first frame at or after n·D: at the boundary tick or up to one frame after.
    const auto first = static_cast<uint64_t>(chunks.front().decode_time);
    const auto boundary =
        static_cast<uint64_t>(EpochTimeline(0, segment_us).BoundaryTicks(n, timescale));
    const uint64_t slack = timescale / 10;
    if (first < boundary || first - boundary > slack) return {"wrong-time"};
  }
  return {};
}

}  // namespace onair::origin
