#include "origin/admin.h"

#include <nlohmann/json.hpp>

#include "core/log.h"

namespace onair::origin {

using nlohmann::json;
using service::Error;
using service::Response;

namespace {

Response JsonAnswer(int status, const json& j) { return service::Json(status, j.dump(2) + "\n"); }

// The event named in the path, or the answer saying why there is none.
std::shared_ptr<OriginEvent> Named(Store& store, const std::string& event, Response* missing) {
  auto ev = IsSafeName(event) ? store.FindEvent(event) : nullptr;
  if (!ev) *missing = Error(404, "no event '" + event + "'");
  return ev;
}

// A JSON object body, or the answer saying it is not one.
std::optional<json> ObjectBody(const std::string& body, Response* bad) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    *bad = Error(400, "the body must be a JSON object");
    return std::nullopt;
  }
  return j;
}

// "A" -> 0, "B" -> 1, anything else -1.
int PipelineOf(const json& j, const std::string& key) {
  if (!j.contains(key) || !j[key].is_string()) return -1;
  const std::string p = j[key];
  return p == "A" ? 0 : p == "B" ? 1 : -1;
}

}  // namespace

Response ListEvents(Store& store) { return JsonAnswer(200, json(store.EventNames())); }

Response PutEvent(Store& store, const std::string& body) {
  auto config = ParseEventConfig(body);
  if (!config.ok()) return Error(400, config.status().message());
  const bool existed = store.FindEvent(config->event) != nullptr;
  Status st = store.PutEvent(*config);
  if (!st.ok()) return Error(400, st.message());
  Logger("origin")->info("event '{}' {} by the admin API", config->event,
                         std::string(existed ? "replaced" : "created"));
  return JsonAnswer(existed ? 200 : 201, {{"event", config->event}, {"created", !existed}});
}

Response DescribeEvent(Store& store, const std::string& event) {
  Response missing;
  auto ev = Named(store, event, &missing);
  if (!ev) return missing;
  json j;
  {
    std::lock_guard<std::mutex> lock(ev->mu);
    j = {{"config", json::parse(EventConfigToJson(ev->config))},
         {"preferred", PipelineName(ev->control.preferred)},
         {"masked", {{"A", ev->control.masked[0]}, {"B", ev->control.masked[1]}}},
         {"version", ev->control.version}};
  }
  return JsonAnswer(200, j);
}

Response SetPipelines(Store& store, const std::string& event, const std::string& body) {
  Response answer;
  if (!Named(store, event, &answer)) return answer;
  auto j = ObjectBody(body, &answer);
  if (!j) return answer;
  Status st = Status::Ok();
  if (j->contains("prefer")) {
    const int p = PipelineOf(*j, "prefer");
    if (p < 0) return Error(400, "prefer: A or B");
    st = store.SetPreferred(event, p);
  } else if (j->contains("mask") || j->contains("unmask")) {
    const bool mask = j->contains("mask");
    const int p = PipelineOf(*j, mask ? "mask" : "unmask");
    if (p < 0) return Error(400, "mask/unmask: A or B");
    st = store.SetMasked(event, p, mask);
  } else {
    return Error(400, "expected prefer, mask or unmask");
  }
  if (!st.ok()) return Error(400, st.message());
  Logger("origin")->info("event '{}': pipelines {}", event, j->dump());
  return DescribeEvent(store, event);
}

Response InvalidateSegments(Store& store, const std::string& event, const std::string& body) {
  Response answer;
  if (!Named(store, event, &answer)) return answer;
  auto j = ObjectBody(body, &answer);
  if (!j) return answer;
  if (!j->contains("from") || !j->contains("to") || !(*j)["from"].is_number_integer() ||
      !(*j)["to"].is_number_integer()) {
    return Error(400, "from and to: segment numbers");
  }
  const int p = j->contains("pipeline") ? PipelineOf(*j, "pipeline") : -1;
  if (j->contains("pipeline") && p < 0) return Error(400, "pipeline: A or B");
  const int64_t from = (*j)["from"].get<int64_t>(), to = (*j)["to"].get<int64_t>();
  auto version = store.Invalidate(event, from, to, p);
  if (!version.ok()) return Error(400, version.status().message());
  Logger("origin")->info("event '{}': segments {}..{} invalidated, version {}", event, from, to,
                         *version);
  return JsonAnswer(200, json{{"version", *version}});
}

}  // namespace onair::origin
