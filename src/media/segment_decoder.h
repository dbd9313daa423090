// Decodes a CMAF segment as a player would show it: its init segment and media bytes through
// FFmpeg's MP4 demuxer and the track's decoder. The player's proof that what it plays is
// decodable, segment by segment.
#pragma once

#include <string>

#include "core/status.h"

namespace onair::media {

struct DecodeReport {
  int frames = 0;     // pictures or audio frames out of the decoder
  std::string codec;  // FFmpeg's decoder name ("h264", "hevc", "aac")
  int width = 0;      // video only
  int height = 0;
};

// DataLoss when the bytes do not demux, a packet does not decode, or nothing comes out.
StatusOr<DecodeReport> DecodeSegment(const std::string& init, const std::string& media);

}  // namespace onair::media
