// The public URL space of DESIGN.md, read the same way by every part that serves it:
//   /live/{event}/{manifest.mpd | master.m3u8 | event.json}
//   /live/{event}/{rendition}/{index.m3u8 | init.mp4 | N.m4s}
// Names must be IsSafeName; N is a decimal of at most 18 digits. A query string is ignored.
// Plain code over untrusted bytes (fuzzed through fuzz/origin_request_fuzz.cc).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace onair {

struct LivePath {
  enum Kind {
    kNone,       // not one of the paths above
    kEventFile,  // manifest.mpd, master.m3u8, event.json
    kPlaylist,   // {rendition}/index.m3u8
    kInit,       // {rendition}/init.mp4
    kSegment,    // {rendition}/N.m4s
  } kind = kNone;
  std::string event, rendition, file;  // file: the last part of the path
  int64_t n = -1;                      // kSegment only
};

LivePath ParseLivePath(std::string_view target);

}  // namespace onair
