#include "net/nats.h"

#include <nats/nats.h>

#include <chrono>

namespace onair::net {

namespace {

constexpr int kPendingMessages = 65536;
constexpr int kPendingBytes = 64 * 1024 * 1024;

Status Failed(const char* what, natsStatus s) {
  return Unavailable(std::string("nats: ") + what + ": " + natsStatus_GetText(s));
}

}  // namespace

void NatsLink::OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  const Sub* sub = static_cast<const Sub*>(closure);
  sub->handler(
      std::string_view(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg))));
  natsMsg_Destroy(msg);
}

void NatsLink::OnComplete(void* closure) {
  Sub* sub = static_cast<Sub*>(closure);
  std::lock_guard<std::mutex> lock(sub->mu);
  sub->complete = true;
  sub->cv.notify_all();
}

StatusOr<std::unique_ptr<NatsLink>> NatsLink::Open(const std::string& url,
                                                   const std::string& name) {
  std::unique_ptr<NatsLink> link(new NatsLink());
  natsStatus s = natsOptions_Create(&link->opts_);
  if (s != NATS_OK) return Failed("options", s);
  if (natsOptions_SetServers(link->opts_, nullptr, 0) != NATS_OK ||
      natsOptions_SetURL(link->opts_, url.c_str()) != NATS_OK) {
    return InvalidArgument("nats: not a NATS URL: " + url);
  }
  natsOptions_SetName(link->opts_, name.c_str());
  natsOptions_SetMaxReconnect(link->opts_, -1);    // forever
  natsOptions_SetReconnectWait(link->opts_, 250);  // ms
  natsOptions_SetReconnectBufSize(link->opts_, 1 << 20);
  natsOptions_SetTimeout(link->opts_, 2000);  // ms, per connect attempt
  // With a callback the first connect goes on in the background (without one it would retry
  // here, forever).
  natsOptions_SetRetryOnFailedConnect(
      link->opts_, true, [](natsConnection*, void*) {}, nullptr);
  s = natsConnection_Connect(&link->nc_, link->opts_);
  if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) {
    return InvalidArgument(std::string("nats: cannot use ") + url + ": " + natsStatus_GetText(s));
  }
  return link;
}

NatsLink::~NatsLink() {
  if (nc_) natsConnection_Close(nc_);
  // Closing closed the subscriptions; a handler may still be running: wait for it.
  for (auto& sub : subs_) {
    std::unique_lock<std::mutex> lock(sub->mu);
    sub->cv.wait_for(lock, std::chrono::seconds(5), [&] { return sub->complete; });
  }
  for (auto& sub : subs_) natsSubscription_Destroy(sub->sub);
  if (nc_) natsConnection_Destroy(nc_);
  if (opts_) natsOptions_Destroy(opts_);
}

Status NatsLink::Publish(const std::string& subject, std::string_view data) {
  if (!connected()) return Unavailable("nats: not connected");
  const natsStatus s =
      natsConnection_Publish(nc_, subject.c_str(), data.data(), static_cast<int>(data.size()));
  return s == NATS_OK ? Status::Ok() : Failed("publish", s);
}

Status NatsLink::Subscribe(const std::string& subject, Handler handler) {
  auto sub = std::make_unique<Sub>();
  sub->handler = std::move(handler);
  const natsStatus s =
      natsConnection_Subscribe(&sub->sub, nc_, subject.c_str(), OnMessage, sub.get());
  if (s != NATS_OK) return Failed("subscribe", s);
  natsSubscription_SetPendingLimits(sub->sub, kPendingMessages, kPendingBytes);
  if (natsSubscription_SetOnCompleteCB(sub->sub, OnComplete, sub.get()) != NATS_OK) {
    sub->complete = true;  // already closed: no handler to wait for
  }
  std::lock_guard<std::mutex> lock(mu_);
  subs_.push_back(std::move(sub));
  return Status::Ok();
}

bool NatsLink::connected() const {
  return natsConnection_Status(nc_) == NATS_CONN_STATUS_CONNECTED;
}

int64_t NatsLink::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t total = 0;
  for (const auto& sub : subs_) {
    int64_t n = 0;
    if (natsSubscription_GetDropped(sub->sub, &n) == NATS_OK) total += n;
  }
  return total;
}

}  // namespace onair::net
