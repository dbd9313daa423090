// A connection to NATS through its C client (Debian's libnats-dev): the engine onair's
// services use past one machine (docs/decisions.md). It connects in the background and
// reconnects forever, so a NATS that is down at start or goes away never stops the service
// that holds the link: publishing fails (the caller keeps or drops what it could not send) and
// subscriptions resume once NATS is back. Thread-safe; handlers run on the client's thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

struct __natsConnection;
struct __natsOptions;
struct __natsSubscription;
struct __natsMsg;

namespace onair::net {

class NatsLink {
 public:
  using Handler = std::function<void(std::string_view data)>;

  // `url`: nats://host:port (several comma-separated); `name`: how the server lists this
  // client. InvalidArgument for a URL the client refuses; not connecting yet is no error.
  static StatusOr<std::unique_ptr<NatsLink>> Open(const std::string& url, const std::string& name);
  ~NatsLink();  // closes: no handler runs after it returns
  NatsLink(const NatsLink&) = delete;
  NatsLink& operator=(const NatsLink&) = delete;

  // Unavailable while not connected; a message over the server's payload limit is refused.
  Status Publish(const std::string& subject, std::string_view data);
  Status Subscribe(const std::string& subject, Handler handler);
  bool connected() const;
  // Messages the subscriptions dropped because their handlers fell behind (the client's
  // pending limit, `pending_bytes` per subscription).
  int64_t dropped() const;

 private:
  NatsLink() = default;
  static void OnMessage(__natsConnection*, __natsSubscription*, __natsMsg* msg, void* closure);
  static void OnComplete(void* closure);
  struct Sub {
    Handler handler;
    __natsSubscription* sub = nullptr;
    std::mutex mu;
    std::condition_variable cv;
    bool complete = false;  // closed, and its handler will not run again
  };
  __natsOptions* opts_ = nullptr;
  __natsConnection* nc_ = nullptr;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Sub>> subs_;
};

}  // namespace onair::net
