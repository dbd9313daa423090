#include "origin/request.h"

#include "core/live_path.h"

namespace onair::origin {

namespace {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  size_t at = 0;
  while (at <= path.size()) {
    size_t slash = path.find('/', at);
    if (slash == std::string_view::npos) slash = path.size();
    parts.emplace_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return parts;
}

}  // namespace

Target ParseTarget(std::string_view target) {
  Target t;
  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  if (path == "/healthz") return {Target::kHealth};
  if (path == "/readyz") return {Target::kReady};
  if (path == "/metrics") return {Target::kMetrics};
  if (path.empty() || path[0] != '/') return t;
  auto parts = SplitPath(path.substr(1));
  if (parts.size() >= 2 && parts[0] == "admin") {
    t.kind = Target::kAdmin;
    t.admin.assign(parts.begin() + 1, parts.end());
    return t;
  }
  if (path.substr(0, 6) != "/live/") return t;
  const LivePath live = ParseLivePath(path);
  t.event = live.event;
  t.rendition = live.rendition;
  t.file = live.file;
  switch (live.kind) {
    case LivePath::kEventFile:
    case LivePath::kPlaylist:
      t.kind = Target::kManifest;
      break;
    case LivePath::kInit:
      t.kind = Target::kObject;
      t.n = kInit;
      break;
    case LivePath::kSegment:
      t.kind = Target::kObject;
      t.n = live.n;
      break;
    default:
      break;
  }
  return t;
}

// The defects list of a trailer or header: comma-separated tokens of [a-z0-9-].
bool ParseDefects(std::string_view text, std::vector<std::string>* out) {
  size_t at = 0;
  while (at < text.size()) {
    size_t comma = text.find(',', at);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view d = text.substr(at, comma - at);
    while (!d.empty() && d.front() == ' ') d.remove_prefix(1);
    while (!d.empty() && d.back() == ' ') d.remove_suffix(1);
    if (!d.empty()) {
      if (d.size() > 32 || out->size() >= 16) return false;
      for (char c : d) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
      }
      out->emplace_back(d);
    }
    at = comma + 1;
  }
  return true;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace onair::origin
