#include "core/live_path.h"

#include "core/event_config.h"

namespace onair {

namespace {

bool ParseNumber(std::string_view s, int64_t* n) {
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *n = v;
  return true;
}

// The next '/'-separated part of `rest`, consumed.
std::string_view NextPart(std::string_view& rest) {
  const size_t slash = rest.find('/');
  std::string_view part = rest.substr(0, slash);
  rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  return part;
}

}  // namespace

LivePath ParseLivePath(std::string_view target) {
  std::string_view rest = target.substr(0, target.find('?'));
  if (rest.substr(0, 6) != "/live/") return {};
  rest.remove_prefix(6);
  const std::string_view event = NextPart(rest);
  if (!IsSafeName(std::string(event)) || rest.empty()) return {};
  LivePath p;
  p.event = event;
  if (rest.find('/') == std::string_view::npos) {
    if (rest != "manifest.mpd" && rest != "master.m3u8" && rest != "event.json") return {};
    p.kind = LivePath::kEventFile;
    p.file = rest;
    return p;
  }
  const std::string_view rendition = NextPart(rest);
  if (!IsSafeName(std::string(rendition)) || rest.find('/') != std::string_view::npos) return {};
  p.rendition = rendition;
  p.file = rest;
  if (rest == "index.m3u8") {
    p.kind = LivePath::kPlaylist;
  } else if (rest == "init.mp4") {
    p.kind = LivePath::kInit;
  } else if (rest.size() > 4 && rest.substr(rest.size() - 4) == ".m4s" &&
             ParseNumber(rest.substr(0, rest.size() - 4), &p.n)) {
    p.kind = LivePath::kSegment;
  } else {
    return {};
  }
  return p;
}

}  // namespace onair
