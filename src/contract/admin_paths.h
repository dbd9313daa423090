// The admin API's paths (docs/service.md, "Admin API"): one prefix for every service, behind
// one bearer-token check. What one service calls on another's admin API is built here, so
// that the caller and the route table cannot drift apart.
#pragma once

#include <string>

namespace onair::contract {

inline constexpr const char* kAdminPrefix = "/admin";

// Every service: GET the route table, GET/PUT/DELETE the fault rules.
inline std::string AdminRoutesPath() { return std::string(kAdminPrefix) + "/routes"; }
inline std::string AdminFaultsPath() { return std::string(kAdminPrefix) + "/faults"; }
// The playback service: the levers, the edge fleet, one edge (PUT registers, DELETE removes).
inline std::string AdminLeversPath() { return std::string(kAdminPrefix) + "/levers"; }
inline std::string AdminEdgesPath() { return std::string(kAdminPrefix) + "/edges"; }
inline std::string AdminEdgePath(const std::string& name) { return AdminEdgesPath() + "/" + name; }
// An edge: drain (POST) or serve again (DELETE).
inline std::string AdminDrainPath() { return std::string(kAdminPrefix) + "/drain"; }
// The origin: events, one event, its pipeline levers, invalidation.
inline std::string AdminEventsPath() { return std::string(kAdminPrefix) + "/events"; }

}  // namespace onair::contract
