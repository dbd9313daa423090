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
  std::string bytes;        // the whole chunk (its boxes but the mdat when media is not kept)
  size_t size = 0;          // of the whole chunk as it came, mdat included
  int64_t decode_time = 0;  // tfdt, in track ticks
  int64_t duration = 0;     // the samples' durations, in track ticks
  int samples = 0;
  std::optional<UtcMicros> captured;  // capture UTC of the sample at decode_time (prft)
};

class ChunkReader {
 public:
  // `keep_media` false: the mdat's payload is counted as it arrives but not kept (a virtual
  // viewer needs the chunks' timing, not their samples).
  explicit ChunkReader(TrackTiming track, bool keep_media = true)
      : track_(track), keep_media_(keep_media) {}

  // Takes the next bytes of the segment; the chunks they complete are appended to *out.
  // DataLoss on bytes that are not a CMAF media segment.
  Status Push(std::string_view bytes, std::vector<Chunk>* out);
  // Bytes received that are not part of a whole chunk yet: those of a chunk begun (its moof
  // came, the mdat has not all come) and those not read as a whole box yet. Boxes between
  // chunks (a free box at the end) are no pending chunk.
  size_t pending_bytes() const {
    return (have_moof_ ? static_cast<size_t>(chunk_bytes_) : 0) + (pending_.size() - consumed_);
  }

 private:
  Status Complete(std::vector<Chunk>* out);

  TrackTiming track_;
  bool keep_media_ = true;
  uint64_t skip_ = 0;         // mdat payload bytes still to come and not kept
  uint64_t chunk_bytes_ = 0;  // of the chunk being built, as they came
  std::string pending_;       // bytes not yet part of a chunk handed out
  size_t consumed_ = 0;       // of pending_, in whole boxes of the chunk being built
  bool have_moof_ = false;
};

// The 64-bit NTP timestamp of a prft box as UTC microseconds.
UtcMicros NtpToUtc(uint64_t ntp);

}  // namespace onair::media
