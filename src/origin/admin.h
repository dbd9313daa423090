// The origin's admin API (docs/origin.md, "Levers"): events created or replaced from their
// config, the levers on an event (the preferred pipeline, a pipeline masked), and segments
// invalidated. Plain functions of the store and the request body, tested without a server;
// the service skeleton checks the admin token before any of them runs.
#pragma once

#include <string>

#include "origin/store.h"
#include "service/reply.h"

namespace onair::origin {

// GET /admin/events: the names.
service::Response ListEvents(Store& store);
// POST /admin/events {event config}: create (201) or replace (200) an event.
service::Response PutEvent(Store& store, const std::string& body);
// GET /admin/events/{e}: its config and levers.
service::Response DescribeEvent(Store& store, const std::string& event);
// POST /admin/events/{e}/pipelines {"prefer": "B"} | {"mask": "A"} | {"unmask": "A"}
service::Response SetPipelines(Store& store, const std::string& event, const std::string& body);
// POST /admin/events/{e}/invalidate {"from": n, "to": m, "pipeline": "A"}: the new version.
service::Response InvalidateSegments(Store& store, const std::string& event,
                                     const std::string& body);

}  // namespace onair::origin
