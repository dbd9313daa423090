// Several coroutines at once on the caller's loop, waited for together: the playback
// service's edge polls, the metrics service's scrapes. Each job bounds its own time (its
// requests' deadlines); `backstop` only ends the wait if one does not.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <vector>

namespace onair::net {

using Job = std::function<boost::asio::awaitable<void>()>;

// Runs every job at once and returns when the last has ended, or after `backstop`. The jobs
// must not outlive what they capture past the backstop (capture shared state by shared_ptr).
boost::asio::awaitable<void> AllOf(std::vector<Job> jobs, std::chrono::milliseconds backstop);

}  // namespace onair::net
