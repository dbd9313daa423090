// The demo's own viewers: a few headless players (the player library, segments fetched but
// not decoded) that watch the demo's event from the playback service, each a while, then
// leave and come back as a new session, with device types and regions that differ, so the
// control center has viewers, starts and breakdowns to show from the first minute.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "player/player.h"

namespace onair::app {

class DemoViewers {
 public:
  DemoViewers(std::string service, std::string event, int count);
  ~DemoViewers();  // stops them
  void Stop();

 private:
  void Watch(int k);

  const std::string service_, event_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<player::Player*> playing_;  // by viewer, under mu_
  std::vector<std::thread> threads_;
};

}  // namespace onair::app
