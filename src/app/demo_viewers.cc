#include "app/demo_viewers.h"

#include <chrono>
#include <random>

#include "core/clock.h"

namespace onair::app {

namespace {

struct Kind {
  const char* type;
  const char* region;
  int max_height;
};
constexpr Kind kKinds[] = {
    {"tv", "eu", 1080}, {"phone", "us", 720}, {"browser", "eu", 1080}, {"tablet", "us", 720}};

}  // namespace

DemoViewers::DemoViewers(std::string service, std::string event, int count)
    : service_(std::move(service)), event_(std::move(event)), playing_(static_cast<size_t>(count)) {
  for (int k = 0; k < count; ++k) threads_.emplace_back([this, k] { Watch(k); });
}

DemoViewers::~DemoViewers() { Stop(); }

void DemoViewers::Stop() {
  stopping_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (player::Player* p : playing_) {
      if (p) p->Stop();
    }
  }
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void DemoViewers::Watch(int k) {
  std::mt19937 random(static_cast<unsigned>(k) * 7919u + 17u);
  std::uniform_real_distribution<double> minutes(1.0, 4.0);
  // They arrive one after another, once the event has a few segments behind its live edge
  // (a player that starts at the very beginning asks for segments from before the first).
  for (int i = 0; i < 40 + 30 * k && !stopping_; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (int session = 0; !stopping_; ++session) {
    const Kind& kind = kKinds[static_cast<size_t>(k + session) % std::size(kKinds)];
    player::PlayerConfig c;
    c.service = service_;
    c.event = event_;
    c.device.type = kind.type;
    c.device.region = kind.region;
    c.device.max_height = kind.max_height;
    c.device.max_width = kind.max_height * 16 / 9;
    c.decode = false;
    c.duration_us = static_cast<int64_t>(minutes(random) * 60e6);
    player::Player p(c, &SystemClock::Instance());
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      playing_[static_cast<size_t>(k)] = &p;
    }
    p.Run();  // a failure is the player's to report (its QoE events): the viewer comes back
    {
      std::lock_guard<std::mutex> lock(mu_);
      playing_[static_cast<size_t>(k)] = nullptr;
    }
    // A pause between sessions, in small steps so that Stop is prompt.
    for (int i = 0; i < 20 && !stopping_; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

}  // namespace onair::app
