// The origin's generic manifests and event file (docs/origin.md, "Manifests"): event.json
// (AST, D, the ladder: what edges and the playback service read), the DASH MPD and the HLS
// playlists of what the store holds now. A pure function of the store and the time, so it is
// tested without a server; the route only sends what it returns.
#pragma once

#include "core/clock.h"
#include "origin/request.h"
#include "origin/store.h"
#include "service/reply.h"

namespace onair::origin {

// The answer to a GET of an event file (kManifest target): 200 with the body, or 404 (no
// such event, rendition, or no init segment yet) with its lifetime.
service::Response ManifestAnswer(Store& store, const Target& t, UtcMicros now);

}  // namespace onair::origin
