// Ctrl-C and SIGTERM ask every running service to stop cleanly (a service that drains first
// stops at once on the second).
#pragma once

#include <atomic>

namespace onair::app {

void InstallStopSignals();
const std::atomic<bool>& StopRequested();
int StopSignals();  // how many have come

}  // namespace onair::app
