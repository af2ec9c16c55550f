// The two programs of a one-way stream benchmark, shared by the one-CPU and
// the cross-CPU cases (bench/suite/stream_programs.cc):
//   "bench_stream_timed_consumer"   holds Google Benchmark's timing loop: one
//                                   iteration = one message received from
//                                   anyone and checked for order (as the spsc
//                                   baselines' consumers do); also reports
//                                   virtual_ns per message
//   "bench_stream_counted_producer" looks up "consumer" and sends it exactly as
//                                   many messages as the loop will take
// A case sets stream_state to its State for the length of the run.
#pragma once

#include <benchmark/benchmark.h>

namespace axl::bench {

extern benchmark::State* stream_state;

}  // namespace axl::bench
