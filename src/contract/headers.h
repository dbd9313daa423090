// The onair headers that cross process boundaries (docs/service.md, "Contracts"): their
// names, once. The origin writes the X-Onair-* of a segment, the edge forwards them and adds
// its own, players and the playback service read them.
#pragma once

namespace onair::contract {

// Pipeline → origin (upload), origin → edge → viewer (which candidate was served): A or B.
inline constexpr const char* kPipeline = "X-Onair-Pipeline";
// Pipeline → origin (trailer or header), origin → edge → viewer: the defects of a segment,
// comma-separated tokens of [a-z0-9-].
inline constexpr const char* kDefects = "X-Onair-Defects";
// Origin → edge → viewer: the event's version after an invalidation (also ?v= in URLs).
inline constexpr const char* kVersion = "X-Onair-Version";
// Origin → edge → player: the lifetime of a "not yet" 404 in milliseconds (max-age rounds
// down to seconds).
inline constexpr const char* kMaxAgeMs = "X-Onair-Max-Age-Ms";
// Origin → edge: "none" when the event does not exist (the edge may answer for it a while).
inline constexpr const char* kEvent = "X-Onair-Event";
// Edge → viewer: hit, miss, collapsed, or edge (answered by the edge itself).
inline constexpr const char* kCache = "X-Onair-Cache";
// Client → any service: the request's admission class, live, catch-up or other.
inline constexpr const char* kPriority = "X-Onair-Priority";

}  // namespace onair::contract
