#include "loadgen/replay_log.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/live_path.h"
#include "net/url.h"

namespace onair::loadgen {

namespace {

// The path segment after one of these prefixes is the event's name.
constexpr std::string_view kEventPrefixes[] = {"/live/", "/v1/playback/", "/v1/steering/"};

uint64_t Mix64(uint64_t x) {  // splitmix64's finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

std::string WithEvent(const std::string& target, const std::string& event) {
  for (std::string_view prefix : kEventPrefixes) {
    if (target.compare(0, prefix.size(), prefix) != 0) continue;
    const size_t from = prefix.size();
    size_t to = target.find_first_of("/?", from);
    if (to == std::string::npos) to = target.size();
    return target.substr(0, from) + event + target.substr(to);
  }
  return target;
}

const std::string* Lookup(const std::vector<std::pair<std::string, std::string>>& m,
                          const std::string& key) {
  for (const auto& [from, to] : m) {
    if (from == key) return &to;
  }
  return nullptr;
}

void InArrivalOrder(ReplayLog& log) {
  std::stable_sort(
      log.requests.begin(), log.requests.end(),
      [](const LoggedRequest& a, const LoggedRequest& b) { return a.record.at < b.record.at; });
  if (log.requests.empty()) return;
  const UtcMicros first = log.requests.front().record.at;
  for (LoggedRequest& q : log.requests) q.offset_us = q.record.at - first;
  log.span_us = log.requests.back().offset_us;
}

}  // namespace

StatusOr<ReplayLog> ParseReplayLog(std::string_view text, size_t most) {
  ReplayLog log;
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    auto r = contract::ParseRequestRecord(line);
    if (!r.ok()) {
      return InvalidArgument("line " + std::to_string(line_no) + ": " + r.status().message());
    }
    if (log.requests.size() >= most) {
      return InvalidArgument("more than " + std::to_string(most) +
                             " requests (the bound on a replay; --max-requests)");
    }
    log.requests.push_back({0, line_no, std::move(*r)});
  }
  InArrivalOrder(log);
  return log;
}

StatusOr<ReplayLog> MergeReplayLogs(std::vector<ReplayLog> logs, size_t most) {
  ReplayLog all;
  for (ReplayLog& log : logs) {
    if (all.requests.size() + log.requests.size() > most) {
      return InvalidArgument("the logs hold more than " + std::to_string(most) +
                             " requests (the bound on a replay; --max-requests)");
    }
    for (LoggedRequest& q : log.requests) all.requests.push_back(std::move(q));
  }
  InArrivalOrder(all);
  return all;
}

StatusOr<ReplayLog> ReadReplayLog(std::istream& in, size_t most) {
  std::stringstream text;
  text << in.rdbuf();
  return ParseReplayLog(text.str(), most);
}

StatusOr<double> ParseShare(std::string_view text) {
  std::string_view t = text;
  double scale = 1;
  if (!t.empty() && t.back() == '%') {
    scale = 0.01;
    t.remove_suffix(1);
  } else if (!t.empty() && (t.back() == 'x' || t.back() == 'X')) {
    t.remove_suffix(1);
  }
  double v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !(v > 0) || v > 1e6) {
    return InvalidArgument("'" + std::string(text) +
                           "' is not a positive number or percentage (200%, 2, 10%, 0.1)");
  }
  return v * scale;
}

StatusOr<std::pair<std::string, std::string>> ParseMapping(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size()) {
    return InvalidArgument("'" + std::string(text) + "' is not FROM=TO");
  }
  std::string to(text.substr(eq + 1));
  while (!to.empty() && to.back() == '/') to.pop_back();
  if (!net::ParseUrl(to).ok()) {
    return InvalidArgument("'" + std::string(text) + "': " + to + " is not an http(s) URL");
  }
  return std::pair{std::string(text.substr(0, eq)), to};
}

std::string RequestKind(const contract::RequestRecord& r) {
  const std::string_view t = r.target;
  auto starts = [&](std::string_view p) { return t.substr(0, p.size()) == p; };
  if (starts("/v1/playback/")) return "play";
  if (starts("/v1/steering/")) return "steering";
  if (starts("/v1/events")) return "events";
  if (starts("/v1/time")) return "time";
  switch (ParseLivePath(t).kind) {
    case LivePath::kEventFile:
    case LivePath::kPlaylist:
      return "manifest";
    case LivePath::kInit:
      return "init";
    case LivePath::kSegment:
      return "segment";
    case LivePath::kNone:
      break;
  }
  return "other";
}

std::string ViewerKey(const contract::RequestRecord& r) {
  constexpr std::string_view kSid = "sid%3D%22";  // CMCD=...sid="..." in a query
  const size_t at = r.target.find(kSid);
  if (at != std::string::npos) {
    const size_t from = at + kSid.size();
    const size_t to = r.target.find("%22", from);
    if (to != std::string::npos) return "sid:" + r.target.substr(from, to - from);
  }
  return "client:" + r.client;
}

bool Sampled(const contract::RequestRecord& r, double share, uint64_t seed) {
  if (share >= 1) return true;
  const uint64_t h = Mix64(Fnv1a(ViewerKey(r)) ^ Mix64(seed));
  return static_cast<double>(h >> 11) / static_cast<double>(uint64_t{1} << 53) < share;
}

StatusOr<Outgoing> Rewrite(const contract::RequestRecord& r, const Rewrites& w, uint64_t n) {
  Outgoing out;
  out.kind = RequestKind(r);
  out.method = r.method;
  out.target = w.event.empty() ? r.target : WithEvent(r.target, w.event);
  if (r.body_bytes > 0 && r.body.empty()) {
    return InvalidArgument("its body was not JSON, so the log did not keep it");
  }
  out.body = r.body;
  if (out.kind == "play" && r.method == "POST" && w.play_body) {
    out.body = w.play_body(n);
  } else if (!w.event.empty() && !out.body.empty()) {
    nlohmann::json j = nlohmann::json::parse(out.body, nullptr, false);
    if (j.is_object() && j.contains("event") && j["event"].is_string()) {
      j["event"] = w.event;
      out.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }
  if (!out.body.empty()) {
    out.headers.emplace_back("Content-Type",
                             r.content_type.empty() ? "application/json" : r.content_type);
  }
  if (!r.priority.empty()) out.headers.emplace_back("X-Onair-Priority", r.priority);
  if (const std::string* to = Lookup(w.hosts, r.host)) {
    out.base = *to;
  } else if (const std::string* by = Lookup(w.services, r.service)) {
    out.base = *by;
  } else if (!w.fallback.empty()) {
    out.base = w.fallback;
  } else if (!r.host.empty() && net::ParseUrl("http://" + r.host).ok()) {
    out.base = "http://" + r.host;
  } else {
    return InvalidArgument("no host to send it to (the log has none: --to SERVICE=URL)");
  }
  return out;
}

}  // namespace onair::loadgen
