// The one fMP4 (CMAF) reader of onair, for the origin's checks of what a pipeline uploaded and
// for the player: an init segment's track timing, and a media segment that arrives in pieces
// while it is being made. The reader hands out each chunk (the boxes
// up to and including a moof and its mdat) the moment its last byte is in, with its media
// time and, from its prft box, the UTC at which its first sample was captured. Bytes from the
// network: every size is checked, nothing is read past what arrived.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace onair::media {

struct TrackTiming {
  uint32_t timescale = 0;
  uint32_t default_sample_duration = 0;  // trex; 0 if not given
};

// The first track of an init segment (ftyp, moov).
StatusOr<TrackTiming> ReadInit(const std::string& init);

struct Chunk {
  std::string bytes;
  int64_t decode_time = 0;  // tfdt, in track ticks
  int64_t duration = 0;     // the samples' durations, in track ticks
  int samples = 0;
  std::optional<UtcMicros> captured;  // capture UTC of the sample at decode_time (prft)
};

class ChunkReader {
 public:
  explicit ChunkReader(TrackTiming track) : track_(track) {}

  // Takes the next bytes of the segment; the chunks they complete are appended to *out.
  // DataLoss on bytes that are not a CMAF media segment.
  Status Push(std::string_view bytes, std::vector<Chunk>* out);
  // Bytes received that are not part of a whole chunk yet.
  size_t pending_bytes() const { return pending_.size() - consumed_; }

 private:
  Status Complete(std::vector<Chunk>* out);

  TrackTiming track_;
  std::string pending_;  // bytes not yet part of a chunk handed out
  size_t consumed_ = 0;  // of pending_, in whole boxes of the chunk being built
  bool have_moof_ = false;
};

// The 64-bit NTP timestamp of a prft box as UTC microseconds.
UtcMicros NtpToUtc(uint64_t ntp);

}  // namespace onair::media
