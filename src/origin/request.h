// What the origin reads from a request before it touches any state: the path's meaning,
// the pipeline's defects list, a bearer token. Plain functions over untrusted bytes (fuzzed:
// fuzz/origin_request_fuzz.cc), kept apart from the coroutine server.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onair::origin {

constexpr int64_t kInit = -1;  // the segment number of an init segment

// What a request's path names.
struct Target {
  enum Kind { kBad, kHealth, kReady, kMetrics, kAdmin, kObject, kManifest } kind = kBad;
  std::string event, rendition, file;  // manifest.mpd, master.m3u8, event.json, index.m3u8
  int64_t n = kInit;
  std::vector<std::string> admin;  // path parts after /admin/
};

// /healthz, /readyz, /metrics, /admin/..., /live/{event}/{manifest.mpd|master.m3u8|event.json},
// /live/{event}/{rendition}/{index.m3u8|init.mp4|N.m4s}; names must be IsSafeName, N a
// decimal of at most 18 digits; anything else is kBad. A query string is ignored.
Target ParseTarget(std::string_view target);

// The defects list of a trailer or header: comma-separated tokens of [a-z0-9-], at most 16
// of at most 32 characters; false (and *out unspecified) otherwise.
bool ParseDefects(std::string_view text, std::vector<std::string>* out);

std::string Join(const std::vector<std::string>& v);  // "a,b,c"

}  // namespace onair::origin
