#include "metrics/numbers.h"

#include <nlohmann/json.hpp>

namespace onair::metrics {

namespace {

double Share(double part, double whole) { return whole > 0 ? part / whole : 0; }

}  // namespace

Numbers NumbersOf(const Figures& f, uint64_t viewers) {
  Numbers n;
  n.concurrent_viewers = viewers;
  n.attempts = f.attempts();
  n.starts = f.starts;
  n.start_failures = f.start_failures;
  n.exits_before_start = f.exits_before_start;
  n.playback_failures = f.playback_failures;
  n.ended = f.ended;
  n.stalls = f.stalls;
  n.errors = f.errors;
  n.heartbeats = f.heartbeats;
  const auto attempts = static_cast<double>(n.attempts);
  n.start_failure_pct = 100 * Share(static_cast<double>(f.start_failures), attempts);
  n.exits_before_start_pct = 100 * Share(static_cast<double>(f.exits_before_start), attempts);
  n.playback_failure_pct = 100 * Share(static_cast<double>(f.playback_failures),
                                       static_cast<double>(f.playback_failures + f.ended));
  n.vst_p50 = f.vst_ms.Quantile(0.5);
  n.vst_p95 = f.vst_ms.Quantile(0.95);
  n.vst_p99 = f.vst_ms.Quantile(0.99);
  const auto played = static_cast<double>(f.played_ms), stalled = static_cast<double>(f.stalled_ms);
  n.rebuffer_ratio = Share(stalled, played + stalled);
  n.stalls_per_hour = Share(static_cast<double>(f.stalls), played / 3.6e6);
  n.avg_bitrate = Share(f.bitrate_ms, played);
  n.top_share = Share(static_cast<double>(f.top_ms), played);
  n.latency_p50 = f.latency_ms.Quantile(0.5);
  n.latency_p95 = f.latency_ms.Quantile(0.95);
  n.played_s = played / 1e3;
  n.stalled_s = stalled / 1e3;
  return n;
}

void to_json(nlohmann::json& j, const Numbers& n) {
  j = {{"concurrent_viewers", n.concurrent_viewers},
       {"attempts", n.attempts},
       {"starts", n.starts},
       {"start_failures", n.start_failures},
       {"exits_before_start", n.exits_before_start},
       {"playback_failures", n.playback_failures},
       {"ended", n.ended},
       {"start_failure_pct", n.start_failure_pct},
       {"exits_before_start_pct", n.exits_before_start_pct},
       {"playback_failure_pct", n.playback_failure_pct},
       {"vst_ms", {{"p50", n.vst_p50}, {"p95", n.vst_p95}, {"p99", n.vst_p99}}},
       {"rebuffer_ratio", n.rebuffer_ratio},
       {"stalls", n.stalls},
       {"stalls_per_hour", n.stalls_per_hour},
       {"avg_bitrate", n.avg_bitrate},
       {"top_share", n.top_share},
       {"latency_ms", {{"p50", n.latency_p50}, {"p95", n.latency_p95}}},
       {"errors", n.errors},
       {"heartbeats", n.heartbeats},
       {"played_s", n.played_s},
       {"stalled_s", n.stalled_s}};
}

}  // namespace onair::metrics
