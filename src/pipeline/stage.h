// The media path as a chain of stages (DESIGN.md "The path of a frame"; Shaka Packager's
// MediaHandler): each stage takes one item, does one thing, and passes what it makes to the
// next; Flush ends the stream (the stage drains what it holds, then flushes the next). A
// rung of the ladder is scale → encode → package, each stage tested alone and the chain
// re-wired by the pipeline (a rung scaled from the one above forks its pictures).
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "media/frame.h"

namespace onair::pipeline {

// A picture or an audio block on its grid: slot `index` of the track's frame grid, and
// whether the source fed it or the slate stood in.
struct Slot {
  media::Frame frame;
  int64_t index = 0;
  bool no_input = false;
  bool eos = false;  // the end of the stream (between threads only)
};

template <class In>
class Stage {
 public:
  virtual ~Stage() = default;
  virtual Status Process(In item) = 0;
  virtual Status Flush() = 0;
};

using FrameStage = Stage<const Slot&>;
using PacketStage = Stage<const media::Packet&>;

// Passes each slot to every stage after it (a rung and the rung scaled from it).
class Fork final : public FrameStage {
 public:
  explicit Fork(std::vector<FrameStage*> next) : next_(std::move(next)) {}
  Status Process(const Slot& slot) override {
    Status first = Status::Ok();
    for (FrameStage* s : next_) {
      Status st = s->Process(slot);
      if (first.ok()) first = st;
    }
    return first;
  }
  Status Flush() override {
    Status first = Status::Ok();
    for (FrameStage* s : next_) {
      Status st = s->Flush();
      if (first.ok()) first = st;
    }
    return first;
  }

 private:
  std::vector<FrameStage*> next_;
};

}  // namespace onair::pipeline
