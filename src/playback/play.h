// What the playback service answers a device (docs/playback.md): the manifest made for it at
// play start, the steering answer that moves a running player, and the acknowledgement of a
// batch of QoE events. Plain code between a request's read and its write (no co_await): the
// event loop's view and cached answers stay the request's throughout. Unit-tested with a
// made-up fleet and event, without sockets.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/metrics.h"
#include "playback/catalog.h"
#include "playback/device.h"
#include "playback/view.h"
#include "service/reply.h"

namespace onair::playback {

class PlayAnswers {
 public:
  PlayAnswers(FleetState* fleet, Clock* clock, MetricsRegistry* metrics, int steering_ttl_s);

  // The answer to a play start whose event was looked up; `body` the device's description.
  service::Reply Play(const std::string& event, const std::string& body,
                      const Catalog::Found& found);
  // Where a running player should fetch from now (DASH-IF / HLS content steering).
  service::Reply Steering(const std::string& event, std::string_view query,
                          const std::string& public_url);
  // A batch of QoE events from a player: checked, counted by type, and handed to
  // `forward` (the metrics service's forwarder) when one is set.
  service::Reply Events(const std::string& body);
  void set_forward(std::function<void(const std::string&)> forward) {
    forward_ = std::move(forward);
  }

  static bool IsEventName(std::string_view name);

 private:
  // What an event loop keeps for itself, without locks: the view it last read (read again
  // only when it was replaced) and the answers made since then. A crowd of devices is a
  // handful of device classes (event, format, region, renditions), and answers made within
  // the same second are the same but for publishTime.
  struct Loop {
    const void* owner = nullptr;
    uint64_t generation = 0;
    std::shared_ptr<const View> view;
    std::unordered_map<std::string, std::shared_ptr<const Made>> answers;
  };
  Loop& ThisLoop();
  service::Reply Answer(const std::shared_ptr<const Made>& made, Format f, bool personal);

  FleetState* fleet_;
  Clock* clock_;
  std::function<void(const std::string&)> forward_;
  MetricsRegistry& m_;
  const int steering_ttl_s_;
  Counter* answers_[2][2];  // [personalised][hls]
  Counter& steering_answers_;
  Counter& bad_requests_;
  Counter* qoe_events_[8] = {};
  Counter& qoe_batches_accepted_;
  Counter& qoe_batches_refused_;
  Histogram& qoe_ttff_;
  Counter& qoe_rebuffer_ms_;
  Counter& qoe_played_ms_;
};

}  // namespace onair::playback
