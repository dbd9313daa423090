#include "playback/play.h"

#include <nlohmann/json.hpp>

#include "contract/qoe.h"
#include "core/event_config.h"
#include "service/route.h"

namespace onair::playback {

using service::Error;
using service::Json;
using service::Reply;
using service::RetryLater;

PlayAnswers::PlayAnswers(FleetState* fleet, Clock* clock, MetricsRegistry* metrics,
                         int steering_ttl_s)
    : fleet_(fleet),
      clock_(clock),
      m_(*metrics),
      steering_ttl_s_(steering_ttl_s),
      steering_answers_(m_.counter("onair_playback_steering_answers_total",
                                   "Content-steering answers to running players.")),
      bad_requests_(m_.counter("onair_playback_refused_total",
                               "Requests refused as malformed or unanswerable, by reason.",
                               {{"reason", "bad-request"}})),
      qoe_batches_accepted_(m_.counter("onair_playback_qoe_batches_total",
                                       "QoE event batches from players, by result.",
                                       {{"result", "accepted"}})),
      qoe_batches_refused_(
          m_.counter("onair_playback_qoe_batches_total", "", {{"result", "refused"}})),
      qoe_ttff_(m_.histogram("onair_playback_qoe_ttff_seconds",
                             "Time to first frame reported by players (start events).")),
      qoe_rebuffer_ms_(m_.counter("onair_playback_qoe_rebuffer_milliseconds_total",
                                  "Rebuffering reported by players.")),
      qoe_played_ms_(m_.counter("onair_playback_qoe_played_milliseconds_total",
                                "Time playing reported by players' heartbeats.")) {
  for (int personal = 0; personal < 2; ++personal) {
    for (int hls = 0; hls < 2; ++hls) {
      answers_[personal][hls] = &m_.counter(
          "onair_playback_answers_total", "Manifests answered, by kind and format.",
          {{"kind", personal ? "personalised" : "generic"}, {"format", hls ? "hls" : "dash"}});
    }
  }
  for (int t = 0; t < contract::kQoeTypes; ++t) {
    qoe_events_[t] =
        &m_.counter("onair_playback_qoe_events_total", "QoE events from players, by type.",
                    {{"type", contract::QoeTypeName(static_cast<contract::QoeType>(t))}});
  }
}

bool PlayAnswers::IsEventName(std::string_view name) { return IsSafeName(std::string(name)); }

PlayAnswers::Loop& PlayAnswers::ThisLoop() {
  thread_local Loop loop;
  const uint64_t now = fleet_->generation();
  if (loop.owner != this || loop.generation != now || !loop.view) {
    loop.view = fleet_->Current();
    loop.generation = now;
    loop.owner = this;
    loop.answers.clear();
  }
  return loop;
}

Reply PlayAnswers::Answer(const std::shared_ptr<const Made>& made, Format f, bool personal) {
  answers_[personal ? 1 : 0][f == Format::kHls ? 1 : 0]->Inc();
  return Reply::Raw(made->raw);
}

Reply PlayAnswers::Play(const std::string& event, const std::string& body,
                        const Catalog::Found& found) {
  auto device = ParseDevice(body);
  if (!device.ok()) {
    bad_requests_.Inc();
    return Error(400, device.status().message());
  }
  switch (found.state) {
    case Catalog::State::kReady:
      break;
    case Catalog::State::kMissing:
      return Error(404, "no event '" + event + "'");
    case Catalog::State::kNotReady:
      return RetryLater("event '" + event + "' has no video yet", 2000);
    default:
      return RetryLater("the origin does not answer", 2000);
  }
  const CatalogEvent& ev = *found.event;
  Loop& loop = ThisLoop();
  const View& view = *loop.view;
  const Format f = device->format;
  if (!view.levers.personalise) {
    auto it = view.generic.find(event + "/" + FormatName(f));
    std::shared_ptr<const Made> made;
    if (it != view.generic.end()) {
      made = it->second;
    } else if (auto generic = fleet_->GenericAnswer(view, ev, f)) {  // new since the last poll
      made = std::make_shared<const Made>(MakeAnswer(f, *generic));
    }
    if (!made) return RetryLater("no edge can take new viewers", 1000 * steering_ttl_s_);
    return Answer(made, f, false);
  }
  const auto rungs = SelectRenditions(ev.config, *device, view.levers.quality);
  if (rungs.empty()) {
    std::string codecs;
    for (const RenditionConfig& r : ev.config.ladder) {
      const std::string name = VideoCodecName(r.codec);
      if (codecs.find(name) == std::string::npos) codecs += (codecs.empty() ? "" : ", ") + name;
    }
    return Error(422, "the device decodes none of the event's video codecs (" + codecs + ")");
  }
  // The device's class: the same answer for every device in it until the view changes.
  uint64_t mask = 0;
  for (const RenditionConfig* r : rungs) mask |= uint64_t{1} << (r - ev.config.ladder.data());
  std::string key = std::to_string(ev.version) + (f == Format::kHls ? "|h|" : "|d|") +
                    std::to_string(mask) + "|" + device->region;
  if (auto hit = loop.answers.find(key); hit != loop.answers.end()) {
    return Answer(hit->second, f, true);
  }
  const auto ranked = RankEdges(view.edges, view.health, device->region, clock_->Monotonic(),
                                fleet_->options().rank);
  if (ranked.empty()) return RetryLater("no edge can take new viewers", 1000 * steering_ttl_s_);
  auto made =
      std::make_shared<const Made>(MakeAnswer(f, fleet_->Manifest(ev, *device, rungs, ranked)));
  if (loop.answers.size() < 10'000) loop.answers.emplace(std::move(key), made);
  return Answer(made, f, true);
}

Reply PlayAnswers::Steering(const std::string& event, std::string_view query,
                            const std::string& public_url) {
  const std::string format(service::QueryValue(query, "format"));
  const std::string region(service::QueryValue(query, "region"));
  const std::string type(service::QueryValue(query, "type"));
  if (!IsSafeName(event)) return Error(404, "no such event");
  if (format != "dash" && format != "hls") {
    bad_requests_.Inc();
    return Error(400, "format must be dash or hls");
  }
  if (!region.empty() && !IsSafeName(region)) {
    bad_requests_.Inc();
    return Error(400, "region must be a name of [a-zA-Z0-9_-]");
  }
  if (!type.empty() && !IsSafeName(type)) {
    bad_requests_.Inc();
    return Error(400, "type must be a name of [a-zA-Z0-9_-]");
  }
  const View& view = *ThisLoop().view;
  const auto ranked = RankEdges(view.edges, view.health, view.levers.personalise ? region : "",
                                clock_->Monotonic(), fleet_->options().rank);
  if (ranked.empty()) return RetryLater("no edge can take new viewers", 1000 * steering_ttl_s_);
  std::string reload = public_url + "/v1/steering/" + event + "?format=" + format;
  if (!region.empty()) reload += "&region=" + region;
  if (!type.empty()) reload += "&type=" + type;
  steering_answers_.Inc();
  return Json(200, SteeringJson(format == "hls", ranked, steering_ttl_s_, reload,
                                CapFor(view.levers.quality, type)));
}

Reply PlayAnswers::Events(const std::string& body) {
  auto batch = contract::ParseQoeBatch(body);
  if (!batch.ok()) {
    bad_requests_.Inc();
    qoe_batches_refused_.Inc();
    return Error(400, batch.status().message());
  }
  qoe_batches_accepted_.Inc();
  for (const contract::QoeEvent& e : batch->events) {
    qoe_events_[static_cast<int>(e.type)]->Inc();
    if (e.ttff_ms >= 0) qoe_ttff_.Observe(e.ttff_ms / 1e3);
    if (e.played_ms >= 0) qoe_played_ms_.Inc(static_cast<uint64_t>(e.played_ms));
    if (e.duration_ms >= 0 && e.type == contract::QoeType::kRebuffer) {
      qoe_rebuffer_ms_.Inc(static_cast<uint64_t>(e.duration_ms));
    }
  }
  if (forward_) forward_(body);
  return Json(202, nlohmann::json{{"accepted", batch->events.size()}}.dump() + "\n");
}

}  // namespace onair::playback
