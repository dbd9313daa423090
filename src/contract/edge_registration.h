// An edge's registration with the playback service (PUT /admin/edges/{name}, docs/edge.md,
// "Announcing"): where viewers reach it, the region it serves, its capacity. Written by the
// edge's announcer (or an operator), read by the service.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace onair::contract {

struct EdgeRegistration {
  std::string base_url;         // http(s)://host[:port][/path], no trailing '/'
  std::string region;           // "": serves every region equally
  int64_t max_egress_bps = 0;   // its capacity (0: unknown, only health counts)
  int64_t max_connections = 0;  // idem
};

std::string WriteEdgeRegistration(const EdgeRegistration& r);
// {"base_url": "http://...", "region": "eu", "max_egress_bps": N, "max_connections": N}:
// InvalidArgument naming the field otherwise (the base URL an http(s) URL of at most 1 KiB,
// the region a name of [a-zA-Z0-9_-], capacities whole and >= 0); at most 16 KiB.
StatusOr<EdgeRegistration> ParseEdgeRegistration(const std::string& json_text);

}  // namespace onair::contract
