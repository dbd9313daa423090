// The origin's own look at what a pipeline uploaded, before it can be served, with the fMP4
// reader the player uses (media/fmp4.h): it never reads past the bytes it was given (the
// bytes come from the network).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace onair::origin {

// An init segment: ftyp then moov; the media timescale of its first track (mdhd).
struct InitInfo {
  bool valid = false;
  uint32_t timescale = 0;
  std::string problem;  // why not valid
};
InitInfo CheckInit(const std::string& bytes);

// A media segment: only styp/sidx/prft/emsg/free/skip/moof/mdat at the top, at least one
// moof+mdat, a tfhd and a tfdt in every traf, samples that fit. With the track timescale known, the
// first tfdt must be at the segment's boundary (n·D) or within 100 ms after it (the first frame at
// or after it). Returns the defects found: "corrupt" (structure) or "wrong-time" (another segment's
// media).
std::vector<std::string> CheckMediaSegment(const std::string& bytes, uint32_t timescale, int64_t n,
                                           int64_t segment_us);

}  // namespace onair::origin
