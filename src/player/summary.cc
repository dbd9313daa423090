// What a session measured, as the player prints it (a status line's summary, JSON for
// scripts).
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "player/player.h"

namespace onair::player {

namespace {

using Json = nlohmann::json;

Json PercentilesJson(const Percentiles& p) {
  return {{"p50", p.p50}, {"p95", p.p95}, {"max", p.max}, {"samples", p.count}};
}

}  // namespace

Percentiles PercentilesOf(std::vector<double> v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
  };
  p.p50 = at(0.5);
  p.p95 = at(0.95);
  p.max = v.back();
  p.count = static_cast<int>(v.size());
  return p;
}

std::string QoeSummary::ToJson() const {
  Json j = {{"session", session},
            {"event", event},
            {"played_s", played_s},
            {"ttff_ms", ttff_ms},
            {"rebuffers", rebuffers},
            {"rebuffer_s", rebuffer_s},
            {"longest_rebuffer_s", longest_rebuffer_s},
            {"switches", switches},
            {"avg_bitrate_bps", avg_bitrate_bps},
            {"last_bitrate_bps", last_bitrate_bps},
            {"max_bitrate_played_bps", max_bitrate_played_bps},
            {"latency_s", PercentilesJson(latency_s)},
            {"arrival_latency_s", PercentilesJson(arrival_s)},
            {"segments", segments},
            {"decoded", decoded},
            {"undecodable", undecodable},
            {"failovers", failovers},
            {"errors", errors},
            {"edges", edges},
            {"renditions", renditions},
            {"video_log", video_log},
            {"events_posted", events_posted},
            {"events_dropped", events_dropped}};
  return j.dump(2);
}

std::string QoeSummary::ToText() const {
  char line[512];
  std::string out;
  std::snprintf(line, sizeof(line),
                "played %.1f s of %s, first frame after %.0f ms\n"
                "rebuffers %d (%.2f s, longest %.2f s), switches %d, average %.2f Mb/s\n"
                "latency p50 %.2f s p95 %.2f s (arrival p50 %.2f s p95 %.2f s)\n"
                "segments %d, decoded %d, undecodable %d, failovers %d\n",
                played_s, event.c_str(), ttff_ms, rebuffers, rebuffer_s, longest_rebuffer_s,
                switches, avg_bitrate_bps / 1e6, latency_s.p50, latency_s.p95, arrival_s.p50,
                arrival_s.p95, segments, decoded, undecodable, failovers);
  out = line;
  if (!errors.empty()) {
    out += "errors:";
    for (const auto& [k, n] : errors) out += " " + k + "=" + std::to_string(n);
    out += "\n";
  }
  return out;
}

}  // namespace onair::player
