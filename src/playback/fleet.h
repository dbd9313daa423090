// The edge fleet as the playback service sees it (docs/playback.md, "Steering"): each edge's
// last status (from its /v1/edge/status), which edges a device may be sent to, in which
// order, and the content-steering answer that moves running players.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "playback/device.h"

namespace onair::playback {

struct EdgeEntry {
  std::string name;             // its service location / pathway id: [a-zA-Z0-9_-]
  std::string base_url;         // where players fetch from, e.g. "https://edge-1.example"
  std::string region;           // "": serves every region equally
  int64_t max_egress_bps = 0;   // its capacity (0: unknown, only health counts)
  int64_t max_connections = 0;  // idem
};

// An edge as an operator registers it: `name` (a safe name) and a JSON object
// {"base_url": "http://...", "region": "eu", "max_egress_bps": N, "max_connections": N}
// (admin API), or the --edge flag's "NAME=URL[,region=R][,max-egress-mbps=N]
// [,max-connections=N]". InvalidArgument naming the field otherwise. The base URL loses a
// trailing '/'.
StatusOr<EdgeEntry> ParseEdgeEntry(const std::string& name, const std::string& json_text);
StatusOr<EdgeEntry> ParseEdgeFlag(const std::string& flag);

struct EdgeHealth {
  bool reachable = false;  // the last poll got an answer
  std::string state;       // healthy, draining, no-upstream (the edge's own word)
  int64_t connections = 0;
  int64_t egress_bps = 0;
  std::chrono::steady_clock::time_point polled{};  // when that answer came
};

// Reads an edge's /v1/edge/status body (JSON); InvalidArgument if it is not one.
StatusOr<EdgeHealth> ParseEdgeStatus(const std::string& json_text,
                                     std::chrono::steady_clock::time_point polled);

struct RankOptions {
  // A status older than this is not trusted: the edge is left out until it answers again.
  std::chrono::milliseconds stale_after{5000};
  // An edge above this share of its capacity (egress or connections) gets no new viewers.
  double full_at = 0.9;
  size_t most = 3;  // how many edges an answer lists (the player fails over among them)
};

// The edges a device in `region` may be sent to, best first: healthy (reachable, "healthy",
// fresh) and not full; its own region's first, then those serving every region, then the
// others, each by headroom. Empty when no edge can take it.
std::vector<const EdgeEntry*> RankEdges(const std::vector<EdgeEntry>& edges,
                                        const std::vector<EdgeHealth>& health,
                                        const std::string& region,
                                        std::chrono::steady_clock::time_point now,
                                        const RankOptions& options = {});

// The content-steering answer (DASH-IF Content Steering and HLS Content Steering share it):
// VERSION, TTL (s), RELOAD-URI, and the priority list, keyed SERVICE-LOCATION-PRIORITY for
// DASH or PATHWAY-PRIORITY for HLS; with a quality cap in force for the device's type, onair's
// own ONAIR-QUALITY-CAP ({"max_bitrate", "max_height"}, 0 = none), which other players ignore:
// running players learn a cap lever at their next reload.
std::string SteeringJson(bool hls, const std::vector<const EdgeEntry*>& ranked, int ttl_s,
                         const std::string& reload_uri, const QualityCap& cap = {});

}  // namespace onair::playback
